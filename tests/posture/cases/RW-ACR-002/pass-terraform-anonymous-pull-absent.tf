# RW-ACR-002: anonymous_pull_enabled absent: the provider default is false

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Standard"
}
