# RW-ACR-032: no alert rules in this configuration

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}
