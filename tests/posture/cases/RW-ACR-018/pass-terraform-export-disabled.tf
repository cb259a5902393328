# RW-ACR-018: export_policy_enabled = false

resource "azurerm_container_registry" "acr" {
  name                          = "acrcase01"
  resource_group_name           = "rg-registry"
  location                      = "westeurope"
  sku                           = "Premium"
  export_policy_enabled         = false
  public_network_access_enabled = false
}
