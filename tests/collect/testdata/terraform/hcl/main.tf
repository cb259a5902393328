terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

locals {
  prefix   = "acrshop"
  location = "westeurope"
  tags = {
    environment = var.environment
  }
}

resource "azurerm_resource_group" "acr" {
  name     = "rg-shop-${var.environment}"
  location = local.location
}

resource "azurerm_container_registry" "shop" {
  name                          = "${local.prefix}${var.environment}01"
  resource_group_name           = azurerm_resource_group.acr.name
  location                      = azurerm_resource_group.acr.location
  sku                           = var.sku
  admin_enabled                 = var.admin_enabled
  quarantine_policy_enabled     = var.quarantine
  public_network_access_enabled = false
  retention_policy_in_days      = 14
  export_policy_enabled         = length(var.replica_regions) > 0
  tags                          = local.tags

  dynamic "georeplications" {
    for_each = var.replica_regions
    content {
      location                = georeplications.value
      zone_redundancy_enabled = true
    }
  }
}

# Switched off: count = 0 means Terraform creates nothing.
resource "azurerm_container_registry" "scratch" {
  count               = 0
  name                = "acrscratch01"
  resource_group_name = azurerm_resource_group.acr.name
  location            = azurerm_resource_group.acr.location
  sku                 = "Basic"
}
