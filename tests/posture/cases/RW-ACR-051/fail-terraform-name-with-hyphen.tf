# RW-ACR-051: acr-case-01 has hyphens

resource "azurerm_container_registry" "acr" {
  name                = "acr-case-01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}
