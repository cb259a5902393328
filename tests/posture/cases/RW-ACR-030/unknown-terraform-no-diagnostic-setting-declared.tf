# RW-ACR-030: no azurerm_monitor_diagnostic_setting in this configuration

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}
