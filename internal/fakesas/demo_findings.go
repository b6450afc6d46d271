package fakesas

import "sync"

// demoFinding is what a hand-written demo image holds besides
// vulnerabilities: its secret types and its malicious files.
type demoFinding struct {
	secrets []sensitiveSpec
	malware []maliciousSpec
}

// demoFindings are the fixed findings of the hand-written demo images, by
// digest (see DemoImages); computed once, never changed.
var demoFindings = sync.OnceValue(func() map[string]demoFinding {
	return map[string]demoFinding{
		demoDigest("payments-api", "1.4.2"): {
			secrets: []sensitiveSpec{
				{key: SensitiveKeyAWSAccessKey, status: SensitiveStatusUnhandled, files: 2},
				{key: SensitiveKeyPostgreSQLPassword, status: SensitiveStatusUnhandled, files: 1},
			},
			malware: []maliciousSpec{
				{md5: DemoMinerMD5, status: MaliciousStatusUnhandled},
				{md5: DemoWebshellMD5, status: MaliciousStatusWhitelisted},
			},
		},
		demoDigest("payments-api", "1.4.3"): {
			secrets: []sensitiveSpec{{key: SensitiveKeyGitConfig, status: SensitiveStatusHandled, files: 1}},
		},
		demoDigest("checkout-web", "2.0.0"): {},
		demoDigest("auth-service", "3.1.0"): {
			secrets: []sensitiveSpec{{key: SensitiveKeySSHPrivateKey, status: SensitiveStatusUnhandled, files: 1}},
		},
	}
})
