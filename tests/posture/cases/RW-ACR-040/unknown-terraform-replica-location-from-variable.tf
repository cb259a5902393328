# RW-ACR-040: the only replica's region comes from a variable without a value

variable "replica_location" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  georeplications {
    location                = var.replica_location
    zone_redundancy_enabled = true
  }
}
