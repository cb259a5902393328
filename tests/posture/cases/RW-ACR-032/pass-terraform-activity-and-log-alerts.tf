# RW-ACR-032: an activity-log alert on role assignments and a log alert on logins, deletes and pulls

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
  retention_in_days   = 365
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

resource "azurerm_monitor_activity_log_alert" "role_changes" {
  name                = "role-changes"
  resource_group_name = "rg-monitor"
  location            = "global"
  scopes              = ["/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"]

  criteria {
    category       = "Administrative"
    operation_name = "Microsoft.Authorization/roleAssignments/write"
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "acr_activity" {
  name                 = "acr-suspicious-activity"
  resource_group_name  = "rg-monitor"
  location             = "westeurope"
  scopes               = [azurerm_log_analytics_workspace.security.id]
  evaluation_frequency = "PT5M"
  window_duration      = "PT5M"
  severity             = 2

  criteria {
    query                   = <<-EOT
      ContainerRegistryLoginEvents
      | where Identity == "00000000-0000-0000-0000-000000000000"
      | union (ContainerRegistryRepositoryEvents | where OperationName == "Delete")
      | union (ContainerRegistryRepositoryEvents | where OperationName == "Pull" and CallerIpAddress !startswith "10.")
    EOT
    time_aggregation_method = "Count"
    threshold               = 0
    operator                = "GreaterThan"
  }
}
