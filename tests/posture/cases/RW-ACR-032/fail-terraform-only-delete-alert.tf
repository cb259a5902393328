# RW-ACR-032: only registry deletion raises an alert

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_monitor_activity_log_alert" "registry_delete" {
  name                = "registry-delete"
  resource_group_name = "rg-monitor"
  location            = "global"
  scopes              = ["/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"]

  criteria {
    category       = "Administrative"
    operation_name = "Microsoft.ContainerRegistry/registries/delete"
  }
}
