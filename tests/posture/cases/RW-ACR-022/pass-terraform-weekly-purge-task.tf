# RW-ACR-022: an encoded task runs acr purge on a timer

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_container_registry_task" "purge" {
  name                  = "purge"
  container_registry_id = azurerm_container_registry.acr.id

  platform {
    os = "Linux"
  }

  encoded_step {
    task_content = <<-EOT
      version: v1.1.0
      steps:
        - cmd: acr purge --filter 'app:.*' --untagged --ago 30d
          timeout: 3600
    EOT
  }

  timer_trigger {
    name     = "weekly"
    schedule = "0 3 * * 0"
  }
}
