# RW-ACR-003: azurerm has no attribute for azureADAuthenticationAsArmPolicy: the service default (enabled) applies

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}
