package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// Every error the provider can show, in both directions: each diagnostic
// names what it must (the service's code and request id, what to fix), and
// none holds a secret the user gave the provider, wherever it was given
// (the configuration, the environment, a CLI profile file), nor a secret's
// excerpt read from the service; neither does any log line of the read.

// canaryKeyID is the access key id that goes with secretCanary and
// tokenCanary (reliability_acc_test.go).
const canaryKeyID = "LTAIcanaryKeyId4f2e"

// placement puts the canary credential in one place a user can put it, and
// returns the provider arguments that go with it.
type placement struct {
	name  string
	place func(t *testing.T) map[string]tftypes.Value
}

var placements = []placement{
	{"configuration", func(*testing.T) map[string]tftypes.Value {
		return map[string]tftypes.Value{"access_key": str(canaryKeyID), "secret_key": str(secretCanary), "security_token": str(tokenCanary)}
	}},
	{"environment", func(t *testing.T) map[string]tftypes.Value {
		t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", canaryKeyID)
		t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secretCanary)
		t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", tokenCanary)
		return nil
	}},
	{"profile file", func(t *testing.T) map[string]tftypes.Value {
		t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "")
		writeProfile(t, map[string]any{"name": "canary", "mode": "StsToken", "access_key_id": canaryKeyID,
			"access_key_secret": secretCanary, "sts_token": tokenCanary, "region_id": "cn-hangzhou"})
		return map[string]tftypes.Value{"profile": str("canary")}
	}},
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// writeProfile writes ~/.aliyun/config.json with one profile.
func writeProfile(t *testing.T, profile map[string]any) {
	t.Helper()
	dir := filepath.Join(os.Getenv("HOME"), ".aliyun")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"current": profile["name"], "profiles": []any{profile}})
	if err := os.WriteFile(filepath.Join(dir, "config.json"), body, 0o600); err != nil {
		t.Fatal(err)
	}
}

// configure runs the provider's Configure with args (the others null).
func configure(t *testing.T, args map[string]tftypes.Value) (*providerData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	typ := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: objectOf(typ, args)}}, &resp)
	data, _ := resp.DataSourceData.(*providerData)
	return data, resp.Diagnostics
}

// readWith reads a data source in-process with a configured provider, its
// logs captured.
func readWith(ctx context.Context, t *testing.T, data *providerData, ds datasource.DataSource, config map[string]tftypes.Value) (diag.Diagnostics, string) {
	t.Helper()
	var logs bytes.Buffer
	diags, _ := readConfigured(tflogtest.RootLogger(ctx, &logs), t, data, ds, config)
	return diags, logs.String()
}

func diagnosticsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "%s: %s\n%s\n", d.Severity(), d.Summary(), d.Detail())
	}
	return b.String()
}

// stub answers every request with status and body.
func stub(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k := 0; k+1 < len(header); k += 2 {
			w.Header().Set(header[k], header[k+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func serviceError(status int, code string) http.HandlerFunc {
	return stub(status, fmt.Sprintf(`{"Code":%q,"Message":"message of %s","RequestId":"REQ-%s"}`, code, code, code))
}

func TestDiagnostics_nameWhatToFixAndNeverASecret(t *testing.T) {
	type errorPath struct {
		name string
		// serve answers the provider's requests; nil: nothing listens.
		serve http.Handler
		// tls serves over HTTPS with a certificate nobody trusts.
		tls bool
		// args are more provider arguments; cancel cancels the read.
		args   map[string]tftypes.Value
		cancel bool
		// want are the fragments the diagnostics must hold, in order.
		want []string
	}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	paths := []errorPath{
		{name: "access key", serve: serviceError(404, "InvalidAccessKeyId.NotFound"),
			want: []string{"Reading Security Center images: InvalidAccessKeyId.NotFound", "Request id: REQ-InvalidAccessKeyId.NotFound", "access_key", "ALIBABA_CLOUD_ACCESS_KEY_ID"}},
		{name: "signature", serve: serviceError(400, "SignatureDoesNotMatch"),
			want: []string{"SignatureDoesNotMatch", "Request id: REQ-SignatureDoesNotMatch", "secret_key"}},
		{name: "security token", serve: serviceError(400, "InvalidSecurityToken.Expired"),
			want: []string{"InvalidSecurityToken.Expired", "Request id: REQ-", "fresh token", "security_token"}},
		{name: "clock skew", serve: serviceError(400, "InvalidTimeStamp.Expired"), want: []string{"InvalidTimeStamp.Expired", "Request id: REQ-", "NTP"}},
		{name: "auth without a code", serve: stub(401, "<html><title>401 Unauthorized</title></html>", "x-acs-request-id", "REQ-401"),
			want: []string{"HTTP401", "Request id: REQ-401", "rejected the credential"}},
		{name: "permission", serve: serviceError(403, "NoPermission"), want: []string{"NoPermission", "Request id: REQ-NoPermission", "yundun-sas:DescribeImageInstances"}},
		{name: "throttled", serve: serviceError(400, "Throttling.User"), want: []string{"Throttling.User", "Request id: REQ-", "max_concurrency"}},
		{name: "not found", serve: serviceError(404, "ImageNotExist"), want: []string{"ImageNotExist", "Request id: REQ-ImageNotExist"}},
		{name: "invalid argument", serve: serviceError(400, "InvalidParameter"), want: []string{"InvalidParameter", "Message: message of InvalidParameter", "Request id: REQ-"}},
		{name: "service", serve: serviceError(500, "ServerError"), want: []string{"ServerError", "HTTP status: 500", "Request id: REQ-ServerError", "max_retries"}},
		{name: "unreadable answer", serve: stub(200, `{"RequestId":"REQ-garbled","PageInfo":`, "x-acs-request-id", "REQ-garbled"),
			want: []string{"unreadable response", "Request id: REQ-garbled"}},
		{name: "redirect", serve: stub(302, "", "Location", "https://elsewhere.example/"), want: []string{"redirect refused", "endpoint"}},
		{name: "network", want: []string{"network error", "endpoint"}},
		{name: "timeout", serve: slow, args: map[string]tftypes.Value{"read_timeout": str("300ms")}, want: []string{"request timed out", "read_timeout"}},
		{name: "certificate", serve: serviceError(200, "never read"), tls: true, want: []string{"untrusted TLS certificate", "ca_bundle_file"}},
		{name: "cancelled", serve: slow, cancel: true, want: []string{"interrupted", "no partial result"}},
	}
	for _, where := range placements {
		for _, path := range paths {
			t.Run(where.name+"/"+path.name, func(t *testing.T) {
				isolateEnv(t)
				args := where.place(t)
				endpoint := listen(t, path.serve, path.tls)
				protocol := "HTTP"
				if path.tls {
					protocol = "HTTPS"
				}
				all := map[string]tftypes.Value{"endpoint": str(endpoint), "protocol": str(protocol),
					"max_retries": tftypes.NewValue(tftypes.Number, 0), "region": str("cn-hangzhou")}
				for k, v := range args {
					all[k] = v
				}
				for k, v := range path.args {
					all[k] = v
				}
				data, diags := configure(t, all)
				requireNoCanary(t, "Configure's diagnostics", diagnosticsText(diags))
				if diags.HasError() {
					t.Fatalf("Configure: %v", diags)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if path.cancel {
					time.AfterFunc(200*time.Millisecond, cancel)
				}
				diags, logs := readWith(ctx, t, data, NewImageInstancesDataSource(), nil)
				text := diagnosticsText(diags)
				requireInOrder(t, text, path.want)
				requireNoCanary(t, "the diagnostics", text)
				requireNoCanary(t, "the logs", logs)
			})
		}
	}
}

// requireInOrder fails unless text holds every fragment, in order.
func requireInOrder(t *testing.T, text string, fragments []string) {
	t.Helper()
	rest := text
	for _, f := range fragments {
		k := strings.Index(rest, f)
		if k < 0 {
			t.Fatalf("the diagnostics lack %q (or have it out of order):\n%s", f, text)
		}
		rest = rest[k+len(f):]
	}
}

// listen serves handler on loopback (over TLS with an untrusted
// certificate when tls), or returns an address nothing listens on.
func listen(t *testing.T, handler http.Handler, tls bool) string {
	t.Helper()
	if handler == nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		return addr
	}
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(handler)
	} else {
		s = httptest.NewServer(handler)
	}
	t.Cleanup(s.Close)
	return strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
}

// The provider's own errors about credentials and configuration, with the
// canaries given in each place: each names what to fix and none holds a
// canary, also when the error comes from the credential libraries.
func TestDiagnostics_configurationErrorsNeverHoldASecret(t *testing.T) {
	roleARN := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"role_arn": tftypes.String, "session_name": tftypes.String, "external_id": tftypes.String, "policy": tftypes.String, "session_expiration": tftypes.Number,
	}}
	assumeRole := tftypes.NewValue(roleARN, map[string]tftypes.Value{
		"role_arn": str("acs:ram::123456789012:role/deployer"), "session_name": tftypes.NewValue(tftypes.String, nil),
		"external_id": tftypes.NewValue(tftypes.String, nil), "policy": tftypes.NewValue(tftypes.String, nil), "session_expiration": tftypes.NewValue(tftypes.Number, nil),
	})
	cases := []struct {
		name string
		// place puts a credential in its place; args are the arguments.
		place func(t *testing.T) map[string]tftypes.Value
		want  []string
	}{
		{"a secret without its key id, in the configuration", func(*testing.T) map[string]tftypes.Value {
			return map[string]tftypes.Value{"secret_key": str(secretCanary)}
		}, []string{"Incomplete access key", "access_key and secret_key"}},
		{"a secret without its key id, in the environment", func(t *testing.T) map[string]tftypes.Value {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secretCanary)
			return nil
		}, []string{"Incomplete access key", "ALIBABA_CLOUD_ACCESS_KEY_ID"}},
		{"a token without a key", func(*testing.T) map[string]tftypes.Value {
			return map[string]tftypes.Value{"security_token": str(tokenCanary)}
		}, []string{"Security token without access key", "security_token"}},
		{"a profile without its key id", func(t *testing.T) map[string]tftypes.Value {
			t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "")
			writeProfile(t, map[string]any{"name": "broken", "mode": "StsToken", "access_key_secret": secretCanary, "sts_token": tokenCanary})
			return map[string]tftypes.Value{"profile": str("broken")}
		}, []string{"credential"}},
		{"a role to assume with a key that cannot reach STS", func(*testing.T) map[string]tftypes.Value {
			return map[string]tftypes.Value{"access_key": str(canaryKeyID), "secret_key": str(secretCanary), "security_token": str(tokenCanary), "assume_role": assumeRole}
		}, []string{"no credentials"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isolateEnv(t)
			args := map[string]tftypes.Value{"endpoint": str(listen(t, serviceError(200, "unused"), false)), "protocol": str("HTTP"),
				"max_retries": tftypes.NewValue(tftypes.Number, 0), "region": str("cn-hangzhou")}
			for k, v := range tc.place(t) {
				args[k] = v
			}
			data, diags := configure(t, args)
			text := diagnosticsText(diags)
			if !diags.HasError() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var logs string
				diags, logs = readWith(ctx, t, data, NewImageInstancesDataSource(), nil)
				text = diagnosticsText(diags)
				requireNoCanary(t, "the logs", logs)
			}
			if !diags.HasError() {
				t.Fatalf("no error: %s", text)
			}
			requireInOrder(t, text, tc.want)
			requireNoCanary(t, "the diagnostics", text)
		})
	}
}

// A read that fails after it has read a secret's excerpt, by a service
// error or by a listing that came up short: the diagnostics name the
// failure and its request id, never the excerpt, and no log line holds it.
func TestDiagnostics_neverPrintASecretsExcerpt(t *testing.T) {
	types := `{"RequestId":"REQ-list","Success":true,"PageInfo":{"TotalCount":2},"SensitiveFileList":[
	 {"SensitiveFileKey":"aws_access_key","RiskLevel":"high","Count":1,"UnprocessedNum":1,"Status":0},
	 {"SensitiveFileKey":"ssh_private_key","RiskLevel":"high","Count":1,"UnprocessedNum":1,"Status":0}]}`
	files := `{"RequestId":"REQ-files","Success":true,"PageInfo":{"TotalCount":1},"SensitiveFileList":[
	 {"FilePath":"/app/.env","Md5":"9b2f0c7d1e4a3b6c8d5e7f9a0b1c2d3e","Promt":"` + excerptCanary + `"}]}`
	cases := []struct {
		name string
		// second answers the files of the second type.
		second http.HandlerFunc
		want   []string
	}{
		{"a service error", serviceError(500, "ServerError"), []string{"ServerError", "Request id: REQ-ServerError"}},
		{"a listing short of its count", stub(200, `{"RequestId":"REQ-short","Success":true,"PageInfo":{"TotalCount":5},"SensitiveFileList":[]}`),
			[]string{"Incomplete Security Center listing of secret files", "REQ-short"}},
		{"no failure: only the state holds it", stub(200, files), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isolateEnv(t)
			serve := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Header.Get("x-acs-action") == "DescribeImageSensitiveFileList":
					stub(200, types)(w, r)
				case r.URL.Query().Get("SensitiveFileKey") == "aws_access_key":
					stub(200, files)(w, r)
				default:
					tc.second(w, r)
				}
			})
			// One request at a time: the first type's files, excerpt
			// included, are read before the second type's answer.
			data, diags := configure(t, map[string]tftypes.Value{"endpoint": str(listen(t, serve, false)), "protocol": str("HTTP"),
				"max_retries": tftypes.NewValue(tftypes.Number, 0), "max_concurrency": tftypes.NewValue(tftypes.Number, 1),
				"access_key": str(canaryKeyID), "secret_key": str(secretCanary)})
			if diags.HasError() {
				t.Fatal(diags)
			}
			diags, logs := readWith(context.Background(), t, data, NewImageSensitiveFilesDataSource(),
				map[string]tftypes.Value{"image_uuid": str("u-1"), "with_files": tftypes.NewValue(tftypes.Bool, true)})
			text := diagnosticsText(diags)
			if tc.want == nil && diags.HasError() {
				t.Fatalf("the read failed: %s", text)
			}
			requireInOrder(t, text, tc.want)
			requireNoCanary(t, "the diagnostics", text)
			requireNoCanary(t, "the logs", logs)
			if !strings.Contains(logs, "DescribeImageSensitiveFileByKey") {
				t.Fatalf("the read's logs were not captured: the test proves nothing:\n%s", logs)
			}
		})
	}
}
