# Checkov CKV_AZURE_165 "fail" shape: a Basic registry with a dynamic georeplications block over a variable the
# configuration does not declare. Whatever it would expand to, a Basic registry cannot be geo-replicated.
resource "azurerm_container_registry" "acr" {
  name                = "contosobuild01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Basic"

  dynamic "georeplications" {
    for_each = var.replications
    content {
      location                = georeplications.value["location"]
      zone_redundancy_enabled = georeplications.value["zone_redundancy_enabled"]
    }
  }
}
