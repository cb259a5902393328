resource "azurerm_container_registry" "broken" {
  name = "acrbroken01"
  sku  = 
}
