# RW-ACR-043: the only lock is on another resource group

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_management_lock" "acr" {
  name       = "no-delete"
  scope      = "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c/resourceGroups/rg-network"
  lock_level = "CanNotDelete"
  notes      = "production registry"
}
