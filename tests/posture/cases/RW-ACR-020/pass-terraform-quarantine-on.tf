# RW-ACR-020: quarantine_policy_enabled = true

resource "azurerm_container_registry" "acr" {
  name                      = "acrcase01"
  resource_group_name       = "rg-registry"
  location                  = "westeurope"
  sku                       = "Premium"
  quarantine_policy_enabled = true
}
