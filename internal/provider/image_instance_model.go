package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The attributes sas_image_instance adds to the image's: the pinned
// reference, scanned and risky. No Terraform plumbing, so gremlins tests it.

// flatten sets the image's attributes; the arguments become the values
// found, which equal them (digest and image_id without a sha256: prefix).
func (m *imageInstanceModel) flatten(i *sasapi.ImageInstance) {
	m.imageModel = newImageModel(i)
	m.ID = stringValue(i.Uuid)
	m.ImageReference = imageReference(i)
	m.Scanned = types.BoolValue(isScanned(i))
	m.Risky = riskyValue(i)
}

// riskyValue is null unless the image was scanned and its risk_status is
// YES or NO: unknown risk must never read as safe.
func riskyValue(i *sasapi.ImageInstance) types.Bool {
	if !isScanned(i) || !i.RiskStatus.Valid {
		return types.BoolNull()
	}
	switch i.RiskStatus.Value {
	case "YES":
		return types.BoolValue(true)
	case "NO":
		return types.BoolValue(false)
	}
	return types.BoolNull()
}

// imageReference builds <registry>/<namespace>/<repository>@sha256:<digest>;
// the schema description of image_reference states the rule.
func imageReference(i *sasapi.ImageInstance) types.String {
	digest := strings.TrimPrefix(i.Digest.Value, "sha256:")
	if digest == "" || i.RepoName.Value == "" {
		return types.StringNull()
	}
	var parts []string
	if registry := registryHost(i.Endpoints); registry != "" {
		parts = append(parts, registry)
	}
	if ns := i.RepoNamespace.Value; ns != "" && ns != "N/A" {
		parts = append(parts, ns)
	}
	parts = append(parts, i.RepoName.Value)
	return types.StringValue(strings.Join(parts, "/") + "@sha256:" + digest)
}

// registryHost is the registry of the first endpoint, "" when it names none.
func registryHost(endpoints sasapi.StringList) string {
	if len(endpoints.Values) == 0 {
		return ""
	}
	first := endpoints.Values[0]
	if _, rest, ok := strings.Cut(first, "://"); ok {
		first = rest
	}
	host, _, ok := strings.Cut(first, "/")
	if ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		return host
	}
	return ""
}
