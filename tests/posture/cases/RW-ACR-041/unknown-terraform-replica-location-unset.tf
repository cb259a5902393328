# RW-ACR-041: the replica's region is not known before apply

variable "replica_region" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  georeplications {
    location = var.replica_region
  }
}
