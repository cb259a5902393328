# A map variable with a default, and a named iterator.
variable "replica_regions" {
  type    = map(string)
  default = { dr = "northeurope" }
}

resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  dynamic "georeplications" {
    for_each = var.replica_regions
    iterator = region
    content {
      location = region.value
    }
  }
}
