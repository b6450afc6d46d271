//go:build sas_tftypes_route

package provider

const (
	useFrameworkRoute = false
	useTFTypesRoute   = true
)
