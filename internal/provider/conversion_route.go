//go:build !sas_framework_route && !sas_tftypes_route

package provider

// The route by which data sources write their state is chosen at build
// time, so that the benchmark harness can measure the routes side by side:
// by default setState's encoder; with -tags sas_framework_route the
// framework's State.Set; with -tags sas_tftypes_route (sas_image_instances
// only) the per-field closures it replaced.
const (
	useFrameworkRoute = false
	useTFTypesRoute   = false
)
