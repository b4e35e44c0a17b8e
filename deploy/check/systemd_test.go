package check

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/unit"
)

const (
	unitFile = "deploy/systemd/webhookd.service"
	// envExample is what the unit's EnvironmentFile= starts as.
	envExample = "deploy/systemd/webhookd.env.example"
	// dynamicUID is the first uid systemd hands out with DynamicUser=yes.
	dynamicUID = 61184
	// maxExposure is the highest `systemd-analyze security` exposure
	// accepted, in tenths (2.0 and below is rated "OK" or better).
	maxExposure = 20
)

// serviceUnit is the [Service] section of the unit: every value of each
// key, in order.
type serviceUnit map[string][]string

// last is the value in force for a key set once or overridden.
func (s serviceUnit) last(key string) string {
	values := s[key]
	if len(values) == 0 {
		return ""
	}
	return values[len(values)-1]
}

func loadUnit(t *testing.T) (serviceUnit, []*unit.UnitOption) {
	t.Helper()
	file, err := os.Open(repoPath(unitFile))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	options, err := unit.DeserializeOptions(file)
	if err != nil {
		t.Fatalf("%s: %v", unitFile, err)
	}
	service := serviceUnit{}
	for _, option := range options {
		if option.Section == "Service" {
			service[option.Name] = append(service[option.Name], option.Value)
		}
	}
	return service, options
}

// timespan parses a systemd time span such as "30s", "1min 30s" or "45".
func timespan(t *testing.T, s string) time.Duration {
	t.Helper()
	units := map[string]time.Duration{"": time.Second, "s": time.Second, "sec": time.Second, "ms": time.Millisecond,
		"m": time.Minute, "min": time.Minute, "h": time.Hour, "hr": time.Hour}
	var total time.Duration
	for _, part := range regexp.MustCompile(`(\d+)\s*([a-z]*)`).FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(part[1])
		unit, ok := units[part[2]]
		if !ok {
			t.Fatalf("time span %q: unknown unit %q", s, part[2])
		}
		total += time.Duration(n) * unit
	}
	return total
}

// execStart splits ExecStart= into words the way systemd does for a plain
// command line, and refuses what this test would not model (specifiers,
// quoting, prefixes).
func execStart(t *testing.T, service serviceUnit) []string {
	t.Helper()
	lines := service["ExecStart"]
	if len(lines) != 1 {
		t.Fatalf("ExecStart= is set %d times, want once", len(lines))
	}
	line := lines[0]
	if strings.ContainsAny(line, `%"'\;`) || strings.ContainsAny(line[:1], "-@+!:") {
		t.Fatalf("ExecStart=%s: specifiers, quotes, escapes and prefixes are not modelled by this test", line)
	}
	return strings.Fields(line)
}

// readEnvironmentFile reads KEY=value lines as systemd's EnvironmentFile=
// does (comments start with # or ;, values may be quoted).
func readEnvironmentFile(t *testing.T, name string) []string {
	t.Helper()
	file, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var env []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(key, "export ") {
			t.Fatalf("%s: %q is not KEY=value", name, line)
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		env = append(env, strings.TrimSpace(key)+"="+value)
	}
	return env
}

func TestSystemdUnitSettings(t *testing.T) {
	service, options := loadUnit(t)
	cfg := loadShippedConfig(t)
	if argv := execStart(t, service); !slices.Equal(argv, []string{binaryPath, "serve", "--config", configPath}) {
		t.Errorf("ExecStart=%s, want %s serve --config %s", strings.Join(argv, " "), binaryPath, configPath)
	}
	want := map[string]string{
		// webhookd does not call sd_notify.
		"Type":                     "exec",
		"Restart":                  "on-failure",
		"RestartPreventExitStatus": strconv.Itoa(exitRefused),
		"KillSignal":               "SIGTERM",
		"DynamicUser":              "yes",
		"NoNewPrivileges":          "yes",
		"ProtectSystem":            "strict",
		"ProtectHome":              "yes",
		"PrivateTmp":               "yes",
		"CapabilityBoundingSet":    "",
		"UMask":                    "0077",
	}
	for key, value := range want {
		if _, set := service[key]; !set || service.last(key) != value {
			t.Errorf("%s=%q, want %q", key, service.last(key), value)
		}
	}
	families := strings.Fields(service.last("RestrictAddressFamilies"))
	for _, family := range []string{"AF_INET", "AF_INET6"} {
		if !slices.Contains(families, family) {
			t.Errorf("RestrictAddressFamilies=%s lacks %s", strings.Join(families, " "), family)
		}
	}
	if stop := timespan(t, service.last("TimeoutStopSec")); stop < cfg.StopBudget() {
		t.Errorf("TimeoutStopSec=%s is shorter than webhookd's stop (%s: shutdown grace + %d listeners × %s + %s)",
			stop, cfg.StopBudget(), listeners, serverStopTimeout, stopMargin)
	}
	nofile, err := strconv.ParseUint(service.last("LimitNOFILE"), 10, 64)
	if err != nil || nofile < cfg.FileDescriptorsNeeded {
		t.Errorf("LimitNOFILE=%s: want at least %d, or webhookd lowers server.max_connections", service.last("LimitNOFILE"), cfg.FileDescriptorsNeeded)
	}
	if got := path.Join("/var/lib", service.last("StateDirectory")); got != cfg.StateDir {
		t.Errorf("StateDirectory= makes %s, but the config's database is in %s", got, cfg.StateDir)
	}
	if service.last("EnvironmentFile") == "" {
		t.Error("no EnvironmentFile= for the secrets")
	}
	env := strings.Join(readEnvironmentFile(t, repoPath(envExample)), "\n") + "\n"
	for _, name := range cfg.EnvRefs {
		if !strings.Contains(env, name+"=") {
			t.Errorf("%s does not set %s, which the config references", envExample, name)
		}
	}
	install := false
	for _, option := range options {
		install = install || option.Section == "Install" && option.Name == "WantedBy"
	}
	if !install {
		t.Error("no [Install] WantedBy=: systemctl enable would do nothing")
	}
}

// installedUnit writes the unit with its binary path pointing at the test
// binary, where systemd-analyze checks that the file exists.
func installedUnit(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile(repoPath(unitFile))
	if err != nil {
		t.Fatal(err)
	}
	var paths pathMap
	paths.add(binaryPath, webhookdBinary(t))
	name := filepath.Join(t.TempDir(), "webhookd.service")
	writeFile(t, name, paths.apply(string(text)))
	return name
}

// TestSystemdAnalyzeVerify loads the unit with systemd's own parser. It
// runs offline: no systemd needs to be running.
func TestSystemdAnalyzeVerify(t *testing.T) {
	analyze := requireTool(t, "systemd-analyze")
	cmd := exec.Command(analyze, "verify", installedUnit(t))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	// Unknown keys and bad values are only warnings, with exit code 0.
	if err != nil || strings.TrimSpace(stderr.String()) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, stderr.String())
	}
}

// TestSystemdAnalyzeSecurity scores the unit's sandbox offline.
func TestSystemdAnalyzeSecurity(t *testing.T) {
	analyze := requireTool(t, "systemd-analyze")
	out, err := exec.Command(analyze, "security", "--offline=yes", fmt.Sprintf("--threshold=%d", maxExposure), installedUnit(t)).CombinedOutput()
	overall := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+ \S+)`).FindSubmatch(out)
	if err != nil || overall == nil {
		t.Fatalf("systemd-analyze security (threshold %d.%d): %v\n%s", maxExposure/10, maxExposure%10, err, out)
	}
	t.Logf("exposure: %s", overall[1])
}

// systemdRun is the unit's ExecStart as systemd would run it, with the
// installed paths mapped to temporary files.
func systemdRun(t *testing.T, withEnvironmentFile bool) (launch, string) {
	t.Helper()
	service, _ := loadUnit(t)
	cfg := loadShippedConfig(t)
	root := hostDir(t)
	etc := filepath.Join(root, "etc")
	state := filepath.Join(root, "state")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	mode, err := strconv.ParseUint(service.last("StateDirectoryMode"), 8, 32)
	if err != nil {
		t.Fatalf("StateDirectoryMode=%q: %v", service.last("StateDirectoryMode"), err)
	}
	if err := os.Mkdir(state, os.FileMode(mode)); err != nil {
		t.Fatal(err)
	}
	uid := uint32(dynamicUID)
	chown(t, state, uid, uid)

	var paths pathMap
	paths.add(binaryPath, webhookdBinary(t))
	paths.add(path.Dir(configPath), etc)
	paths.add(path.Join("/var/lib", service.last("StateDirectory")), state)
	writeFile(t, filepath.Join(etc, path.Base(configPath)), paths.apply(cfg.Text))

	env := baseEnv()
	if withEnvironmentFile {
		env = append(env, readEnvironmentFile(t, repoPath(envExample))...)
	}
	env = append(env, portOverrides(cfg)...)
	var argv []string
	for _, word := range execStart(t, service) {
		argv = append(argv, paths.apply(word))
	}
	umask64, err := strconv.ParseInt(service.last("UMask"), 8, 32)
	if err != nil {
		t.Fatalf("UMask=%q: %v", service.last("UMask"), err)
	}
	umask := int(umask64)
	nofile, err := strconv.ParseUint(service.last("LimitNOFILE"), 10, 64)
	if err != nil {
		t.Fatalf("LimitNOFILE=%q: %v", service.last("LimitNOFILE"), err)
	}
	// systemd sets the limit with privileges this test may lack: raising
	// a hard limit needs CAP_SYS_RESOURCE.
	var current syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &current); err != nil {
		t.Fatal(err)
	}
	if nofile > current.Max && !canRaiseHardLimit() {
		t.Logf("LimitNOFILE=%d is above this machine's hard limit %d, which the test cannot raise: testing with %d", nofile, current.Max, current.Max)
		nofile = current.Max
	}
	return launch{
		name: "systemd ExecStart", argv: argv, env: env, dir: "/",
		uid: &uid, gid: &uid, umask: &umask, nofile: nofile,
	}, state
}

// canRaiseHardLimit reports whether this process has CAP_SYS_RESOURCE.
func canRaiseHardLimit() bool {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	m := regexp.MustCompile(`(?m)^CapEff:\s*([0-9a-f]+)$`).FindSubmatch(status)
	if m == nil {
		return false
	}
	caps, err := strconv.ParseUint(string(m[1]), 16, 64)
	const capSysResource = 24
	return err == nil && caps&(1<<capSysResource) != 0
}

// TestSystemdExecStartRuns runs the unit's command line as systemd would:
// its environment file (the example, placeholders and all), its open file
// limit, umask and an unprivileged user. Then it stops it with KillSignal=
// within TimeoutStopSec=.
func TestSystemdExecStartRuns(t *testing.T) {
	service, _ := loadUnit(t)
	cfg := loadShippedConfig(t)
	run, state := systemdRun(t, true)
	d := start(t, run)

	limit, ok := d.find(func(e map[string]any) bool { return e["open_file_limit"] != nil })
	if !ok || fmt.Sprint(limit["open_file_limit"]) != fmt.Sprint(run.nofile) {
		t.Errorf("open file limit logged as %v, want LimitNOFILE=%d", limit["open_file_limit"], run.nofile)
	}
	if d.logged("server.max_connections lowered") {
		t.Error("webhookd lowered server.max_connections under the unit's LimitNOFILE")
	}
	// The example environment file keeps the placeholder, and webhookd
	// says so: a deploy that forgot to fill it in is loud.
	if !d.logged("SECRET IS STILL THE PLACEHOLDER") {
		t.Error("no placeholder warning with the example environment file")
	}
	if status, err := grpcHealth(d.GRPC, "", 5*time.Second); err != nil || status.String() != "SERVING" {
		t.Errorf("gRPC health: %v %v", status, err)
	}
	assertStatus(t, "http://"+d.HTTP+"/readyz", "", 200)

	database := filepath.Join(state, path.Base(cfg.SQLiteFile))
	info, err := os.Stat(database)
	if err != nil {
		t.Fatalf("no database in the state directory: %v", err)
	}
	// UMask=0077: the database holds the endpoint secrets.
	if info.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s has mode %s: readable by others despite UMask=%s", database, info.Mode().Perm(), service.last("UMask"))
	}
	if os.Geteuid() == 0 {
		if owner := info.Sys().(*syscall.Stat_t).Uid; owner != dynamicUID {
			t.Errorf("the database belongs to uid %d, not the service's user %d", owner, dynamicUID)
		}
	}

	signal := map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT}[service.last("KillSignal")]
	code, took := d.stop(signal, timespan(t, service.last("TimeoutStopSec")))
	if code != 0 {
		t.Errorf("exit code %d after %s; systemd would record a failure", code, service.last("KillSignal"))
	}
	if !d.logged("webhookd stopped") {
		t.Error("no \"webhookd stopped\" line")
	}
	t.Logf("stopped in %s (TimeoutStopSec=%s)", took.Round(time.Millisecond), service.last("TimeoutStopSec"))
}

// TestSystemdRefusedStartIsNotRestarted starts the unit's command without
// its secrets: webhookd refuses with the exit code that
// RestartPreventExitStatus= keeps systemd from retrying in a loop.
func TestSystemdRefusedStartIsNotRestarted(t *testing.T) {
	service, _ := loadUnit(t)
	run, _ := systemdRun(t, false)
	code, log := runToExit(t, run, startTimeout)
	if !slices.Contains(strings.Fields(service.last("RestartPreventExitStatus")), strconv.Itoa(code)) {
		t.Errorf("exit code %d is not in RestartPreventExitStatus=%s; log:\n%s", code, service.last("RestartPreventExitStatus"), log)
	}
}
