resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  dynamic "georeplications" {
    for_each = ["northeurope", "eastus"]
    content {
      location = georeplications.value
    }
  }
}
