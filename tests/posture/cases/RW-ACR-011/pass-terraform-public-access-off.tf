# RW-ACR-011: public_network_access_enabled = false

resource "azurerm_container_registry" "acr" {
  name                          = "acrcase01"
  resource_group_name           = "rg-registry"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}
