"""Azure Resource Manager inputs → `Registry`: az/ARM JSON and exports (`resources`), deployment templates and
compiled Bicep (`template`), and live Azure through the SDK (`live`). Every path ends in `resources`, so a rule sees
the same model whichever way the registry was read."""
