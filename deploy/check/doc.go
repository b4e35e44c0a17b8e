// Package check tests the deployment artifacts of deploy/ and the
// repository's Dockerfile against each other and against the real webhookd
// binary. Everything is in its tests: run them with deploy/test.sh, or
// `go test ./...` in this directory with WEBHOOKD_BIN set.
//
// # Layout
//   - repo_test.go: paths, the shipped config (deploy/config.yaml) and the
//     facts every artifact must agree with;
//   - process_test.go: starts webhookd the way a service manager would, and
//     probes it the way kubelet does;
//   - dockerfile_test.go: the Dockerfile and .dockerignore, parsed with
//     BuildKit's own parser, and the image's command run for real;
//   - systemd_test.go: the unit, checked with systemd-analyze and its
//     ExecStart run for real;
//   - kubernetes_test.go: every manifest decoded strictly into the
//     Kubernetes API types, checked against the Pod Security "restricted"
//     profile and the other artifacts, and its pods run for real (the
//     PostgreSQL Deployment when WEBHOOKD_TEST_POSTGRES_URL is set).
package check
