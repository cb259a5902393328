# RW-ACR-004: a user is Contributor on the registry's resource group

resource "azurerm_resource_group" "registry" {
  name     = "rg-registry"
  location = "westeurope"
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = azurerm_resource_group.registry.name
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_role_assignment" "dev_contributor" {
  scope                = azurerm_resource_group.registry.id
  role_definition_name = "Contributor"
  principal_id         = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
  principal_type       = "User"
}
