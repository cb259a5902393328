# Checkov CKV_AZURE_165 "fail" shape without the Basic SKU: a dynamic georeplications block over a variable
# may expand to nothing, so whether a replica exists is not known statically.
resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  dynamic "georeplications" {
    for_each = var.replications
    content {
      location = georeplications.value["location"]
    }
  }
}
