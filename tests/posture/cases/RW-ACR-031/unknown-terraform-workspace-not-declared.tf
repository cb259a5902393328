# RW-ACR-031: the setting names a workspace this configuration does not declare

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_monitor_diagnostic_setting" "audit" {
  name                       = "acr-audit"
  target_resource_id         = azurerm_container_registry.acr.id
  log_analytics_workspace_id = "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c/resourceGroups/rg-monitor/providers/Microsoft.OperationalInsights/workspaces/law-central"

  enabled_log {
    category = "ContainerRegistryLoginEvents"
  }

  enabled_log {
    category = "ContainerRegistryRepositoryEvents"
  }
}
