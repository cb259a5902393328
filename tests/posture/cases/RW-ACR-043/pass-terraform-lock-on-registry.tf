# RW-ACR-043: a CanNotDelete lock on the registry

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_management_lock" "acr" {
  name       = "no-delete"
  scope      = azurerm_container_registry.acr.id
  lock_level = "CanNotDelete"
  notes      = "production registry"
}
