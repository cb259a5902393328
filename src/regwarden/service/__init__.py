"""Use cases: wire adapters, analysis, store and reports together. The CLI and the web layer call only this
package. Each function is one thing a user asks for and owns the lifetime of what it opens."""
