# RW-ACR-031: retention_in_days absent: 30 days

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_log_analytics_workspace" "security" {
  name                = "law-security"
  location            = "westeurope"
  resource_group_name = "rg-monitor"
  sku                 = "PerGB2018"
}

resource "azurerm_monitor_diagnostic_setting" "audit" {
  name                       = "acr-audit"
  target_resource_id         = azurerm_container_registry.acr.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.security.id

  enabled_log {
    category = "ContainerRegistryLoginEvents"
  }

  enabled_log {
    category = "ContainerRegistryRepositoryEvents"
  }
}
