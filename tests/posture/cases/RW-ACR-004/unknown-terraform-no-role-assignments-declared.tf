# RW-ACR-004: no azurerm_role_assignment in this configuration: assignments made elsewhere are not visible

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}
