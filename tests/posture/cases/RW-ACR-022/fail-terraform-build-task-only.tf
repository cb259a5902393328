# RW-ACR-022: the only task builds on commits

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

  docker_step {
    dockerfile_path      = "Dockerfile"
    context_path         = "https://github.com/contoso/app.git#main"
    context_access_token = "unused"
    image_names          = ["app:{{.Run.ID}}"]
  }

  source_trigger {
    name           = "commit"
    events         = ["commit"]
    repository_url = "https://github.com/contoso/app.git"
    source_type    = "Github"
  }
}
