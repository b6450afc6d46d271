package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// readImages reads sas_image_instances in-process against the fake.
func readImages(t *testing.T, fake *fakesas.Server, maxConcurrency int, config map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	diags, _ := readDirect(t, NewImageInstancesDataSource(), fake.Endpoint(), maxConcurrency, config)
	return diags
}

func requireWarning(t *testing.T, diags diag.Diagnostics, fragment string) {
	t.Helper()
	if diags.HasError() {
		t.Fatalf("unexpected error: %v", diags.Errors())
	}
	for _, w := range diags.Warnings() {
		if strings.Contains(w.Detail(), fragment) {
			return
		}
	}
	t.Fatalf("no warning containing %q in %v", fragment, diags)
}

func TestRead_warnsWhenTheListingChangesBetweenPages(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(120, 4)})
	fake.OnDescribeImageInstances(func(call int) {
		if call == 1 {
			fresh := fakesas.GenerateImages(3, 99)
			for k := range fresh {
				fresh[k]["Uuid"] = "u-inserted-" + string(rune('a'+k))
			}
			fake.SetImages(append(fresh, fake.Images()...))
		}
	})
	diags := readImages(t, fake, 1, map[string]tftypes.Value{"page_size": tftypes.NewValue(tftypes.Number, 50)})
	requireWarning(t, diags, "changed during the read")
}

func TestRead_warnsWhenTheServiceReturnsFewerImagesThanItCounted(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(30, 4)})
	fake.SetTotalCountOverride(500)
	diags := readImages(t, fake, 4, nil)
	requireWarning(t, diags, "returned only 30")
}

func TestRead_noWarningForAStableListing(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(250, 4)})
	diags := readImages(t, fake, 4, map[string]tftypes.Value{"page_size": tftypes.NewValue(tftypes.Number, 50)})
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
}
