# The dynamic block expands to nothing: no replica.
variable "replica_regions" {
  type    = list(string)
  default = []
}

resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  dynamic "georeplications" {
    for_each = var.replica_regions
    content {
      location = georeplications.value
    }
  }
}
