package check

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// repoRoot is the repository root: this package lives in deploy/check.
var repoRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}()

func repoPath(parts ...string) string {
	return filepath.Join(append([]string{repoRoot}, parts...)...)
}

// Facts about the webhookd binary that the artifacts must leave room for.
// Each names the place in the code it comes from.
const (
	// exitRefused is the exit code of a start refused for the operator to
	// fix: invalid config, or a SQLite file another process holds
	// (src/main.rs EXIT_REFUSED).
	exitRefused = 2
	// serverStopTimeout is how long each listener gets to close after the
	// drain, one after the other (src/app.rs SERVER_STOP_TIMEOUT).
	serverStopTimeout = 5 * time.Second
	listeners         = 2
	// stopMargin covers everything else between SIGTERM and exit.
	stopMargin = 5 * time.Second
	// reservedFileDescriptors is what webhookd keeps besides client
	// connections (src/app.rs RESERVED_FILE_DESCRIPTORS).
	reservedFileDescriptors = 128
)

// Paths shared by the image, the systemd unit and the pods.
const (
	binaryPath = "/usr/local/bin/webhookd"
	configPath = "/etc/webhookd/config.yaml"
)

// Defaults of the config keys the artifacts depend on
// (docs/configuration.md), used where deploy/config.yaml leaves them out.
const (
	defaultShutdownGraceSeconds    = 10
	defaultMaxConnections          = 4096
	defaultMaxConcurrentDeliveries = 50
	defaultDatabaseMaxConnections  = 10
)

// shippedConfig is what the artifacts need to know of deploy/config.yaml.
type shippedConfig struct {
	Text          string
	GRPCAddr      netip.AddrPort
	HTTPAddr      netip.AddrPort
	ShutdownGrace time.Duration
	DatabaseURL   string
	// SQLiteFile is the database file's absolute path, and StateDir its
	// directory, when DatabaseURL is a SQLite URL.
	SQLiteFile string
	StateDir   string
	// EnvRefs are the ${NAME} references, in order: the variables every
	// deployment must provide.
	EnvRefs []string
	// FileDescriptorsNeeded is the open file limit below which webhookd
	// lowers server.max_connections (src/app.rs connection_limits).
	FileDescriptorsNeeded uint64
	// SecretValues are the values of the secret keys, as written.
	SecretValues map[string]string
}

// StopBudget is the longest webhookd may take from SIGTERM to exit.
func (c shippedConfig) StopBudget() time.Duration {
	return c.ShutdownGrace + listeners*serverStopTimeout + stopMargin
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func loadShippedConfig(t *testing.T) shippedConfig {
	t.Helper()
	text, err := os.ReadFile(repoPath("deploy", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Server struct {
			GRPCAddr             string   `json:"grpc_addr"`
			HTTPAddr             string   `json:"http_addr"`
			ShutdownGraceSeconds *float64 `json:"shutdown_grace_seconds"`
			MaxConnections       *int     `json:"max_connections"`
		} `json:"server"`
		Database struct {
			URL            string `json:"url"`
			MaxConnections *int   `json:"max_connections"`
		} `json:"database"`
		WebhookEngine struct {
			SigningSecret           string `json:"signing_secret"`
			MaxConcurrentDeliveries *int   `json:"max_concurrent_deliveries"`
		} `json:"webhook_engine"`
		Security struct {
			APIKeys []struct {
				Name string `json:"name"`
				Key  string `json:"key"`
			} `json:"api_keys"`
		} `json:"security"`
	}
	if err := yaml.Unmarshal(text, &raw); err != nil {
		t.Fatalf("deploy/config.yaml: %v", err)
	}
	cfg := shippedConfig{Text: string(text), DatabaseURL: raw.Database.URL, SecretValues: map[string]string{}}
	for name, addr := range map[string]*netip.AddrPort{raw.Server.GRPCAddr: &cfg.GRPCAddr, raw.Server.HTTPAddr: &cfg.HTTPAddr} {
		if *addr, err = netip.ParseAddrPort(name); err != nil {
			t.Fatalf("deploy/config.yaml: server address %q: %v", name, err)
		}
	}
	cfg.ShutdownGrace = seconds(valueOr(raw.Server.ShutdownGraceSeconds, defaultShutdownGraceSeconds))
	if file, ok := strings.CutPrefix(cfg.DatabaseURL, "sqlite://"); ok {
		file, _, _ = strings.Cut(file, "?")
		if !path.IsAbs(file) {
			t.Fatalf("deploy/config.yaml: database.url %q is relative to the working directory; use an absolute path", cfg.DatabaseURL)
		}
		cfg.SQLiteFile = file
		cfg.StateDir = path.Dir(file)
	}
	// The references in values, not in comments.
	values, err := yaml.YAMLToJSON(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, match := range envRef.FindAllStringSubmatch(string(values), -1) {
		cfg.EnvRefs = appendNew(cfg.EnvRefs, match[1])
	}
	cfg.SecretValues["webhook_engine.signing_secret"] = raw.WebhookEngine.SigningSecret
	for i, key := range raw.Security.APIKeys {
		cfg.SecretValues[fmt.Sprintf("security.api_keys[%d].key (%s)", i, key.Name)] = key.Key
	}
	maxConnections := uint64(valueOr(raw.Server.MaxConnections, defaultMaxConnections))
	cfg.FileDescriptorsNeeded = listeners*maxConnections + reservedFileDescriptors +
		uint64(valueOr(raw.WebhookEngine.MaxConcurrentDeliveries, defaultMaxConcurrentDeliveries)) +
		uint64(valueOr(raw.Database.MaxConnections, defaultDatabaseMaxConnections))
	return cfg
}

func TestShippedConfigKeepsSecretsOut(t *testing.T) {
	cfg := loadShippedConfig(t)
	if len(cfg.SecretValues) < 2 {
		t.Fatalf("expected the signing secret and API keys in deploy/config.yaml, found %v", cfg.SecretValues)
	}
	for key, value := range cfg.SecretValues {
		if !envRef.MatchString(value) || envRef.FindString(value) != value {
			t.Errorf("%s is %q: a secret in the shipped config must be a ${NAME} reference", key, value)
		}
	}
}

func TestShippedConfigListensOnAllInterfaces(t *testing.T) {
	cfg := loadShippedConfig(t)
	for name, addr := range map[string]netip.AddrPort{"server.grpc_addr": cfg.GRPCAddr, "server.http_addr": cfg.HTTPAddr} {
		// A container is reached through its network interface, never its
		// loopback; port-0 would make the probes' ports unknowable.
		if !addr.Addr().IsUnspecified() || addr.Port() == 0 {
			t.Errorf("%s is %s: the artifacts need an unspecified address and a fixed port", name, addr)
		}
	}
	if cfg.GRPCAddr.Port() == cfg.HTTPAddr.Port() {
		t.Errorf("gRPC and HTTP share port %d", cfg.GRPCAddr.Port())
	}
	if cfg.StateDir == "" {
		t.Errorf("database.url %q: the shipped config uses SQLite in a state directory", cfg.DatabaseURL)
	}
}

// TestShippedConfigRefusesToStartWithoutItsSecrets shows that the config is
// loaded for real by the other tests: without the variables it references,
// webhookd refuses to start and names the key.
func TestShippedConfigRefusesToStartWithoutItsSecrets(t *testing.T) {
	cfg := loadShippedConfig(t)
	bin := webhookdBinary(t)
	code, log := runToExit(t, launch{
		name: "webhookd without secrets",
		argv: []string{bin, "serve", "--config", repoPath("deploy", "config.yaml")},
		env:  baseEnv(),
		dir:  t.TempDir(),
	}, 30*time.Second)
	if code != exitRefused {
		t.Fatalf("exit code %d, want %d (refused); log:\n%s", code, exitRefused, log)
	}
	named := slices.ContainsFunc(cfg.EnvRefs, func(name string) bool { return strings.Contains(log, "`"+name+"`") })
	if !named {
		t.Errorf("the refusal names none of %v:\n%s", cfg.EnvRefs, log)
	}
}

// webhookdBinary is WEBHOOKD_BIN, or the debug build of this repository.
func webhookdBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("WEBHOOKD_BIN")
	if bin == "" {
		bin = repoPath("target", "debug", "webhookd")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(bin)
	if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		t.Fatalf("no webhookd binary at %s (set WEBHOOKD_BIN, or cargo build)", bin)
	}
	return bin
}

// requireTool finds a program on PATH. Without it the test is skipped, or
// fails under CI=true, where deploy/test.sh has installed it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	found, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (deploy/test.sh installs it)", name)
		}
		t.Skipf("%s is not installed: skipped (deploy/test.sh installs it; an error under CI=true)", name)
	}
	return found
}

// baseEnv is the environment a service manager gives a process: no
// variables of the test's own, so none of them can leak into a run.
func baseEnv() []string {
	return []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
}

// portOverrides moves the listeners to free ports on the same interfaces,
// as a container's own network namespace would allow. It uses the
// WEBHOOKD_SECTION__KEY layer, above the file and below the flags.
func portOverrides(cfg shippedConfig) []string {
	return []string{
		"WEBHOOKD_SERVER__GRPC_ADDR=" + netip.AddrPortFrom(cfg.GRPCAddr.Addr(), 0).String(),
		"WEBHOOKD_SERVER__HTTP_ADDR=" + netip.AddrPortFrom(cfg.HTTPAddr.Addr(), 0).String(),
	}
}

// pathMap maps paths of the installed system (or the container) to the
// test's temporary files, the way a bind mount would.
type pathMap []struct{ from, to string }

func (m *pathMap) add(from, to string) { *m = append(*m, struct{ from, to string }{from, to}) }

// apply rewrites every mapped path in s, longest first.
func (m pathMap) apply(s string) string {
	sorted := append(pathMap(nil), m...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].from) > len(sorted[j].from) })
	var out strings.Builder
	for i := 0; i < len(s); {
		matched := false
		for _, p := range sorted {
			rest := s[i:]
			if strings.HasPrefix(rest, p.from) && (len(rest) == len(p.from) || !isPathChar(rest[len(p.from)]) || rest[len(p.from)] == '/') {
				out.WriteString(p.to)
				i += len(p.from)
				matched = true
				break
			}
		}
		if !matched {
			out.WriteByte(s[i])
			i++
		}
	}
	return out.String()
}

func isPathChar(c byte) bool {
	return c == '/' || c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// cargoManifest returns the package version and rust-version of
// Cargo.toml.
func cargoManifest(t *testing.T) (version, rustVersion string) {
	t.Helper()
	text, err := os.ReadFile(repoPath("Cargo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `\s*=\s*"([^"]+)"`).FindSubmatch(text)
		if m == nil {
			t.Fatalf("Cargo.toml has no %s", name)
		}
		return string(m[1])
	}
	return field("version"), field("rust-version")
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func valueOr[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
