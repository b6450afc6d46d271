// Package fakesas is an in-process fake of the Alibaba Cloud Security Center
// (SAS, API version 2018-12-03) image APIs: DescribeImageInstances,
// DescribeImageCriteria, DescribeImageVulList and DescribeVulDetails (served
// from the same images; see vulnerabilities.go), the baseline checks
// (baselines.go) and image scan tasks (PublicCreateImageScanTask,
// DescribeImageLatestScanTask; see scan.go for their rules), the secrets
// (DescribeImageSensitiveFileList, DescribeImageSensitiveFileByKey; see
// secrets.go) and the malware findings (DescribeAffectedMaliciousFileImages,
// DescribeGroupedMaliciousFiles; see malware.go). The table in
// operations.go maps each action to its handler; every action goes through
// the same routing, authentication, QPS limit and fault injection first.
//
// It speaks the wire protocol of the real service as the generic client
// github.com/alibabacloud-go/darabonba-openapi/v2 uses it: RPC calls as
// "POST /" with every parameter in the URL query, the action and version in
// the x-acs-action and x-acs-version headers, and an ACS3-HMAC-SHA256
// signature in the Authorization header, which the fake recomputes and
// verifies. Error bodies have the service's JSON shape.
//
// Datasets are served verbatim (Image is a map keyed by wire field name) so
// that tests can reproduce the quirks of the real service: numbers as strings,
// missing fields, nulls. Faults (throttling, 5xx, HTML gateway pages,
// connection resets, truncated bodies, slowness, denials) are injected by a
// PRNG seeded from Options.Seed so that a test sees the same sequence on every
// run.
//
// Decisions where the service is unspecified, all deliberate:
//
//   - An image counts as scanned when its ScaStatus is present, not empty and
//     not "INIT", and its LastScanTime is greater than zero.
//   - Criteria of DescribeImageInstances are combined with the top-level
//     LogicalExp (default AND); a per-criterion "logicalExp" must be empty,
//     "AND" or "OR" and is otherwise ignored. A criterion matches a field
//     equal to its value, or with Options.SubstringCriteria one containing it.
//   - DescribeImageCriteria with a Value keyword returns, unchanged, the
//     entries whose name, whose select values, or (for input entries) whose
//     field in any image of the dataset contains the keyword, compared case
//     insensitively.
//   - Fault.Rate 0 means "every request", the same as 1, so that a Fault
//     literal without a Rate does something. MaxConsecutive bounds the streak
//     of faulted requests per (Action, CurrentPage) across all faults, so that
//     combining faults can never starve a retrying client.
//   - Faults are drawn only for requests that passed routing and
//     authentication; SetFaults re-seeds the PRNG so the sequence depends only
//     on Seed and the requests that follow.
//   - Authentication follows ACS3: the host and every x-acs-* header present
//     must be signed, x-acs-content-sha256 must match the body, x-acs-date
//     must be within 15 minutes of the server clock. A credential without a
//     SecurityToken rejects requests that carry one (Mismatch), so a stale
//     token sent with a permanent key is caught. Signature nonces are not
//     checked for replay.
//   - Routing is checked before authentication, as the gateway does: method
//     (POST, GET tolerated), path "/", Action, Version, known action.
//   - The DescribeImageInstances hook runs after the page has been computed
//     and before it is written, so a dataset change made by the hook is
//     visible to the next request the client sends.
//   - DescribeImageBaselineCheckResult and DescribeImageBaselineItemList
//     serve the baselines ImageBaselines derives from the image record whose
//     Uuid is ImageUuid (see there for the rules); an image the dataset
//     does not hold has none. RiskLevel is a comma-separated list of high,
//     medium and low; Criteria matches part of a key or display name, case
//     insensitively; names are Chinese unless Lang is "en". Uuids.N is
//     ignored.
//   - A list parameter is accepted only in the form the SDK sends for that
//     operation (JSON array text, repeated keys Name.N or a comma string;
//     see listparams.go), so a client encoding a list the wrong way fails
//     with InvalidParameter instead of losing a filter.
//   - Secrets and malicious files derive from the image's content (its
//     Digest), so records sharing a digest hold the same findings; an
//     unscanned image holds none. The hand-written demo images hold fixed
//     findings (demoFindings, documented at DemoImages). See secrets.go and
//     malware.go for the rest.
//   - PageSizeReport applies to DescribeImageInstances and to the secrets
//     and malware listings; the baseline and vulnerability listings always
//     report the size served.
package fakesas
