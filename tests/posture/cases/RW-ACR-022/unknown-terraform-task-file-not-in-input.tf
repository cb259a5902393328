# RW-ACR-022: a timer task runs a task file that is not in the input

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

  file_step {
    task_file_path       = "purge.yaml"
    context_path         = "https://github.com/contoso/ops.git#main"
    context_access_token = "unused"
  }

  timer_trigger {
    name     = "weekly"
    schedule = "0 3 * * 0"
  }
}
