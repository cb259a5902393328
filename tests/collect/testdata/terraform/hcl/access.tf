resource "azurerm_container_registry_token" "pipeline" {
  name                    = "pipeline"
  container_registry_name = azurerm_container_registry.shop.name
  resource_group_name     = azurerm_resource_group.acr.name
  scope_map_id            = "${azurerm_container_registry.shop.id}/scopeMaps/_repositories_push"
}

resource "azurerm_role_assignment" "ci_push" {
  scope                = azurerm_resource_group.acr.id
  role_definition_name = "AcrPush"
  principal_id         = var.ci_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_container_registry_webhook" "deploy" {
  name                = "deploy"
  registry_name       = azurerm_container_registry.shop.name
  resource_group_name = azurerm_resource_group.acr.name
  location            = local.location
  service_uri         = "https://deploy.${var.environment}.shop.example/acr?token=${var.ci_principal_id}"
  actions             = ["push"]
}

resource "azurerm_container_registry_task" "purge" {
  name                  = "purge"
  container_registry_id = azurerm_container_registry.shop.id
  platform {
    os = "Linux"
  }
  encoded_step {
    task_content = <<-EOT
      version: v1.1.0
      steps:
        - cmd: acr purge --filter 'shop:.*' --ago 14d --untagged
    EOT
  }
  timer_trigger {
    name     = "nightly"
    schedule = "0 2 * * *"
  }
}
