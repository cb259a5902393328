# RW-ACR-002: anonymous_pull_enabled = true on a Standard registry

resource "azurerm_container_registry" "acr" {
  name                   = "acrcase01"
  resource_group_name    = "rg-registry"
  location               = "westeurope"
  sku                    = "Standard"
  anonymous_pull_enabled = true
}
