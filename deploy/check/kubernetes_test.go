package check

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

const manifestsDir = "deploy/kubernetes"

// manifests are the decoded objects of deploy/kubernetes/*.yaml.
type manifests struct {
	configMaps   map[string]*corev1.ConfigMap
	secrets      map[string]*corev1.Secret
	services     []*corev1.Service
	deployments  []*appsv1.Deployment
	statefulSets []*appsv1.StatefulSet
	budgets      []*policyv1.PodDisruptionBudget
}

// workload is a Deployment or a StatefulSet, seen through what they share.
type workload struct {
	kind     string
	name     string
	replicas int32
	selector *metav1.LabelSelector
	template corev1.PodTemplateSpec
	claims   []corev1.PersistentVolumeClaim
}

func (m *manifests) workloads() []workload {
	var out []workload
	for _, d := range m.deployments {
		out = append(out, workload{"Deployment", d.Name, valueOr(d.Spec.Replicas, 1), d.Spec.Selector, d.Spec.Template, nil})
	}
	for _, s := range m.statefulSets {
		out = append(out, workload{"StatefulSet", s.Name, valueOr(s.Spec.Replicas, 1), s.Spec.Selector, s.Spec.Template, s.Spec.VolumeClaimTemplates})
	}
	return out
}

// decodeStrict decodes one YAML document into the Kubernetes type its
// apiVersion and kind name. Unknown or duplicate fields and wrong types are
// errors, as in `kubectl apply --validate=strict`.
func decodeStrict(doc []byte) (any, error) {
	var meta metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return nil, err
	}
	var obj any
	switch meta.APIVersion + "/" + meta.Kind {
	case "v1/ConfigMap":
		obj = &corev1.ConfigMap{}
	case "v1/Secret":
		obj = &corev1.Secret{}
	case "v1/Service":
		obj = &corev1.Service{}
	case "apps/v1/Deployment":
		obj = &appsv1.Deployment{}
	case "apps/v1/StatefulSet":
		obj = &appsv1.StatefulSet{}
	case "policy/v1/PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	default:
		return nil, fmt.Errorf("apiVersion %q kind %q: not a kind these manifests use", meta.APIVersion, meta.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// documents splits a YAML stream into its non-empty documents.
func documents(t *testing.T, text []byte) [][]byte {
	t.Helper()
	reader := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(text)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatal(err)
		}
		var probe map[string]any
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			t.Fatalf("not YAML: %v", err)
		}
		if len(probe) > 0 {
			docs = append(docs, doc)
		}
	}
}

func loadManifests(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob(repoPath(manifestsDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", manifestsDir, err)
	}
	m := &manifests{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(file)
		for i, doc := range documents(t, text) {
			obj, err := decodeStrict(doc)
			if err != nil {
				t.Fatalf("%s, document %d: %v", name, i+1, err)
			}
			meta := objectMeta(obj)
			for _, problem := range validation.IsDNS1123Subdomain(meta.Name) {
				t.Errorf("%s: name %q: %s", name, meta.Name, problem)
			}
			if meta.Namespace != "" {
				t.Errorf("%s: %s has a namespace; leave it to kubectl -n", name, meta.Name)
			}
			switch o := obj.(type) {
			case *corev1.ConfigMap:
				m.configMaps[o.Name] = o
			case *corev1.Secret:
				m.secrets[o.Name] = o
			case *corev1.Service:
				m.services = append(m.services, o)
			case *appsv1.Deployment:
				m.deployments = append(m.deployments, o)
			case *appsv1.StatefulSet:
				m.statefulSets = append(m.statefulSets, o)
			case *policyv1.PodDisruptionBudget:
				m.budgets = append(m.budgets, o)
			}
		}
	}
	return m
}

func objectMeta(obj any) metav1.ObjectMeta {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		return o.ObjectMeta
	case *corev1.Secret:
		return o.ObjectMeta
	case *corev1.Service:
		return o.ObjectMeta
	case *appsv1.Deployment:
		return o.ObjectMeta
	case *appsv1.StatefulSet:
		return o.ObjectMeta
	case *policyv1.PodDisruptionBudget:
		return o.ObjectMeta
	}
	panic(fmt.Sprintf("unexpected %T", obj))
}

func TestManifestsDecodeStrictly(t *testing.T) {
	m := loadManifests(t)
	if len(m.deployments) != 1 || len(m.statefulSets) != 1 || len(m.services) == 0 || len(m.configMaps) != 1 || len(m.secrets) != 1 || len(m.budgets) != 1 {
		t.Fatalf("want one Deployment (PostgreSQL), one StatefulSet (SQLite), Services, a ConfigMap, a Secret and a PodDisruptionBudget")
	}
}

// TestStrictDecodingCatchesMistakes shows that the decoding above would
// catch the usual mistakes: a misspelt field, a field at the wrong level, a
// wrong type and a malformed quantity.
func TestStrictDecodingCatchesMistakes(t *testing.T) {
	text, err := os.ReadFile(repoPath(manifestsDir, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	original := string(documents(t, text)[0])
	for _, c := range []struct{ name, from, to string }{
		{"misspelt field", "  replicas: 2\n", "  replica: 2\n"},
		{"field at the wrong level", "          readinessProbe:\n            grpc:\n              port: 50051\n", "          readinessProbe:\n            port: 50051\n            grpc:\n              port: 50051\n"},
		{"wrong type", "              port: 50051\n", "              port: \"50051\"\n"},
		{"bad quantity", "memory: 512Mi", "memory: 512MB!"},
		{"duplicate field", "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n"},
	} {
		mutated := strings.Replace(original, c.from, c.to, 1)
		if mutated == original {
			t.Fatalf("%s: the mutation did not apply", c.name)
		}
		if _, err := decodeStrict([]byte(mutated)); err == nil {
			t.Errorf("%s: decoded without error", c.name)
		}
	}
}

func TestManifestReferencesResolve(t *testing.T) {
	m := loadManifests(t)
	for _, w := range m.workloads() {
		selector, err := metav1.LabelSelectorAsSelector(w.selector)
		if err != nil {
			t.Fatalf("%s %s: selector: %v", w.kind, w.name, err)
		}
		if selector.Empty() || !selector.Matches(labels.Set(w.template.Labels)) {
			t.Errorf("%s %s: the selector does not match the pod template's labels", w.kind, w.name)
		}
		for _, s := range m.services {
			if !labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(w.template.Labels)) {
				t.Errorf("Service %s does not select the pods of %s %s", s.Name, w.kind, w.name)
			}
		}
		spec := w.template.Spec
		if len(spec.Containers) != 1 {
			t.Fatalf("%s %s: %d containers, want 1", w.kind, w.name, len(spec.Containers))
		}
		container := spec.Containers[0]
		volumes := map[string]bool{}
		for _, v := range spec.Volumes {
			volumes[v.Name] = true
			if v.ConfigMap != nil && m.configMaps[v.ConfigMap.Name] == nil {
				t.Errorf("%s %s: volume %s names ConfigMap %s, which is not in %s", w.kind, w.name, v.Name, v.ConfigMap.Name, manifestsDir)
			}
		}
		for _, c := range w.claims {
			volumes[c.Name] = true
		}
		for _, mount := range container.VolumeMounts {
			if !volumes[mount.Name] {
				t.Errorf("%s %s: volumeMount %s has no volume", w.kind, w.name, mount.Name)
			}
		}
		if _, err := containerEnv(m, container, nil); err != nil {
			t.Errorf("%s %s: %v", w.kind, w.name, err)
		}
		names := map[string]bool{}
		for _, port := range container.Ports {
			for _, problem := range validation.IsValidPortName(port.Name) {
				t.Errorf("%s %s: port name %q: %s", w.kind, w.name, port.Name, problem)
			}
			names[port.Name] = true
		}
		for _, s := range m.services {
			for _, port := range s.Spec.Ports {
				if port.TargetPort.StrVal != "" && !names[port.TargetPort.StrVal] {
					t.Errorf("Service %s port %s: targetPort %q is not a port of %s %s", s.Name, port.Name, port.TargetPort.StrVal, w.kind, w.name)
				}
			}
		}
	}
	for _, s := range m.statefulSets {
		headless := false
		for _, service := range m.services {
			headless = headless || service.Name == s.Spec.ServiceName && service.Spec.ClusterIP == corev1.ClusterIPNone
		}
		if !headless {
			t.Errorf("StatefulSet %s: serviceName %q is not a headless Service in %s", s.Name, s.Spec.ServiceName, manifestsDir)
		}
	}
}

// TestManifestsMatchTheOtherArtifacts ties the manifests to the shipped
// config, the Dockerfile and Cargo.toml.
func TestManifestsMatchTheOtherArtifacts(t *testing.T) {
	m := loadManifests(t)
	cfg := loadShippedConfig(t)
	img, _ := loadDockerfile(t)
	version, _ := cargoManifest(t)
	for _, cm := range m.configMaps {
		if cm.Data[path.Base(configPath)] != cfg.Text {
			t.Errorf("ConfigMap %s: %s differs from deploy/config.yaml; copy the file into it, indented", cm.Name, path.Base(configPath))
		}
	}
	wantPorts := map[string]int32{"grpc": int32(cfg.GRPCAddr.Port()), "http": int32(cfg.HTTPAddr.Port())}
	for _, w := range m.workloads() {
		spec := w.template.Spec
		container := spec.Containers[0]
		if !strings.HasSuffix(container.Image, ":"+version) {
			t.Errorf("%s %s: image %s, want the tag %s of Cargo.toml", w.kind, w.name, container.Image, version)
		}
		if container.Command != nil {
			t.Errorf("%s %s: command overrides the image's ENTRYPOINT", w.kind, w.name)
		}
		if want := []string{"serve", "--config", configPath}; !slices.Equal(container.Args, want) {
			t.Errorf("%s %s: args %q, want %q", w.kind, w.name, container.Args, want)
		}
		mounted := false
		for _, mount := range container.VolumeMounts {
			mounted = mounted || mount.MountPath == path.Dir(configPath) && mount.ReadOnly
		}
		if !mounted {
			t.Errorf("%s %s: the config is not mounted read-only at %s", w.kind, w.name, path.Dir(configPath))
		}
		got := map[string]int32{}
		for _, port := range container.Ports {
			got[port.Name] = port.ContainerPort
		}
		if fmt.Sprint(got) != fmt.Sprint(wantPorts) {
			t.Errorf("%s %s: container ports %v, want the config's %v", w.kind, w.name, got, wantPorts)
		}
		for _, exposed := range img.exposed {
			if !slices.Contains([]string{fmt.Sprint(got["grpc"]), fmt.Sprint(got["http"])}, exposed) {
				t.Errorf("%s %s: the image exposes %s, not a container port", w.kind, w.name, exposed)
			}
		}
		if uid := valueOr(spec.SecurityContext.RunAsUser, 0); uint32(uid) != img.uid {
			t.Errorf("%s %s: runAsUser %d, but the image's USER is %s", w.kind, w.name, uid, img.user)
		}
		env, _ := containerEnv(m, container, nil)
		for _, name := range cfg.EnvRefs {
			if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") }) {
				t.Errorf("%s %s: no %s in the environment, which the config references", w.kind, w.name, name)
			}
		}
	}
	for _, s := range m.services {
		for _, port := range s.Spec.Ports {
			if want, ok := wantPorts[port.Name]; !ok || port.Port != want || port.TargetPort.StrVal != port.Name {
				t.Errorf("Service %s port %s: %d → %s, want %d → the container port of that name", s.Name, port.Name, port.Port, port.TargetPort.String(), want)
			}
			wantProtocol := map[string]string{"grpc": "kubernetes.io/h2c", "http": "http"}[port.Name]
			if valueOr(port.AppProtocol, "") != wantProtocol {
				t.Errorf("Service %s port %s: appProtocol %q, want %q", s.Name, port.Name, valueOr(port.AppProtocol, ""), wantProtocol)
			}
		}
	}
}

// TestPodsMeetTheRestrictedPodSecurityStandard evaluates each pod template
// with the Pod Security admission's own checks, at the "restricted" level
// of the newest Kubernetes version they know, and checks what that level
// leaves open.
func TestPodsMeetTheRestrictedPodSecurityStandard(t *testing.T) {
	m := loadManifests(t)
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	level := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}
	for _, w := range m.workloads() {
		results := evaluator.EvaluatePod(level, &w.template.ObjectMeta, &w.template.Spec)
		if aggregate := policy.AggregateCheckResults(results); !aggregate.Allowed {
			t.Errorf("%s %s violates the restricted Pod Security Standard: %s: %s", w.kind, w.name, aggregate.ForbiddenReason(), aggregate.ForbiddenDetail())
		}
		spec := w.template.Spec
		container := spec.Containers[0]
		if sc := container.SecurityContext; sc == nil || !valueOr(sc.ReadOnlyRootFilesystem, false) {
			t.Errorf("%s %s: the root filesystem is writable", w.kind, w.name)
		}
		if valueOr(spec.AutomountServiceAccountToken, true) {
			t.Errorf("%s %s: mounts a service account token it never uses", w.kind, w.name)
		}
		if valueOr(spec.EnableServiceLinks, true) {
			t.Errorf("%s %s: service links fill the environment with variables named after Services", w.kind, w.name)
		}
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := container.Resources.Requests[name]; !ok {
				t.Errorf("%s %s: no %s request", w.kind, w.name, name)
			}
		}
		if _, ok := container.Resources.Limits[corev1.ResourceMemory]; !ok {
			t.Errorf("%s %s: no memory limit", w.kind, w.name)
		}
	}
}

// TestProbesAndShutdown checks the probes' kinds and ports, and that the
// grace period covers webhookd's stop.
func TestProbesAndShutdown(t *testing.T) {
	m := loadManifests(t)
	cfg := loadShippedConfig(t)
	grpcPort := int32(cfg.GRPCAddr.Port())
	for _, w := range m.workloads() {
		spec := w.template.Spec
		container := spec.Containers[0]
		probes := map[string]*corev1.Probe{"startup": container.StartupProbe, "readiness": container.ReadinessProbe, "liveness": container.LivenessProbe}
		for name, probe := range probes {
			if probe == nil {
				t.Errorf("%s %s: no %s probe", w.kind, w.name, name)
				continue
			}
			handlers := 0
			for _, set := range []bool{probe.GRPC != nil, probe.HTTPGet != nil, probe.TCPSocket != nil, probe.Exec != nil} {
				if set {
					handlers++
				}
			}
			if handlers != 1 {
				t.Errorf("%s %s: the %s probe has %d handlers, want 1", w.kind, w.name, name, handlers)
			}
			if probe.Exec != nil {
				t.Errorf("%s %s: an exec %s probe needs a program the image does not have", w.kind, w.name, name)
			}
		}
		if t.Failed() {
			continue
		}
		// Native gRPC probes on the gRPC port: the overall health ("")
		// follows readiness.
		for _, name := range []string{"startup", "readiness"} {
			if p := probes[name]; p.GRPC == nil || p.GRPC.Port != grpcPort || valueOr(p.GRPC.Service, "") != "" {
				t.Errorf("%s %s: the %s probe is not a gRPC probe of \"\" on port %d", w.kind, w.name, name, grpcPort)
			}
		}
		// Liveness must not follow the database (TestSQLiteStatefulSetPodRuns
		// shows the difference on a running pod).
		if p := probes["liveness"]; p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
			t.Errorf("%s %s: the liveness probe is not GET /healthz", w.kind, w.name)
		}
		preStop := int64(0)
		if container.Lifecycle != nil && container.Lifecycle.PreStop != nil && container.Lifecycle.PreStop.Sleep != nil {
			preStop = container.Lifecycle.PreStop.Sleep.Seconds
		}
		grace := time.Duration(valueOr(spec.TerminationGracePeriodSeconds, 30)) * time.Second
		if need := time.Duration(preStop)*time.Second + cfg.StopBudget(); grace < need {
			t.Errorf("%s %s: terminationGracePeriodSeconds %s is shorter than the preStop sleep plus webhookd's stop (%s)", w.kind, w.name, grace, need)
		}
	}
}

// TestWorkloadsFitTheirStore: several replicas only on PostgreSQL, exactly
// one on SQLite with its file on a persistent volume.
func TestWorkloadsFitTheirStore(t *testing.T) {
	m := loadManifests(t)
	cfg := loadShippedConfig(t)
	for _, w := range m.workloads() {
		container := w.template.Spec.Containers[0]
		env, err := containerEnv(m, container, nil)
		if err != nil {
			t.Fatal(err)
		}
		databaseURL := cfg.DatabaseURL
		for _, kv := range env {
			if value, ok := strings.CutPrefix(kv, "WEBHOOKD_DATABASE__URL="); ok {
				databaseURL = value
			}
		}
		switch {
		case strings.HasPrefix(databaseURL, "postgres://"):
			if w.replicas < 2 {
				t.Errorf("%s %s on PostgreSQL: %d replica(s), want at least 2 for availability", w.kind, w.name, w.replicas)
			}
			covered := false
			for _, pdb := range m.budgets {
				selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
				covered = covered || err == nil && selector.Matches(labels.Set(w.template.Labels)) && pdb.Spec.MaxUnavailable != nil
			}
			if !covered {
				t.Errorf("%s %s: no PodDisruptionBudget with maxUnavailable selects its pods", w.kind, w.name)
			}
		case strings.HasPrefix(databaseURL, "sqlite://"):
			if w.kind != "StatefulSet" || w.replicas != 1 {
				t.Errorf("%s %s on SQLite: want a StatefulSet with exactly one replica, got %d", w.kind, w.name, w.replicas)
			}
			onClaim := false
			for _, mount := range container.VolumeMounts {
				for _, claim := range w.claims {
					onClaim = onClaim || mount.Name == claim.Name && mount.MountPath == cfg.StateDir
				}
			}
			if !onClaim {
				t.Errorf("%s %s: %s is not on a persistent volume claim", w.kind, w.name, cfg.StateDir)
			}
			for _, pdb := range m.budgets {
				selector, _ := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
				if pdb.Spec.MinAvailable != nil && selector.Matches(labels.Set(w.template.Labels)) {
					t.Errorf("PodDisruptionBudget %s with minAvailable selects the single SQLite pod: node drains would block", pdb.Name)
				}
			}
		default:
			t.Errorf("%s %s: database URL %q is neither PostgreSQL nor SQLite", w.kind, w.name, databaseURL)
		}
	}
}

// containerEnv resolves a container's environment the way kubelet does,
// from the Secret and ConfigMap in the manifests; secretValues replaces
// Secret values by key.
func containerEnv(m *manifests, container corev1.Container, secretValues map[string]string) ([]string, error) {
	var env []string
	for _, e := range container.Env {
		value := e.Value
		switch {
		case e.ValueFrom == nil:
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			secret := m.secrets[ref.Name]
			if secret == nil {
				return nil, fmt.Errorf("env %s: no Secret %s", e.Name, ref.Name)
			}
			v, ok := secret.StringData[ref.Key]
			if !ok {
				data, inData := secret.Data[ref.Key]
				v, ok = string(data), inData
			}
			if !ok {
				return nil, fmt.Errorf("env %s: Secret %s has no key %s", e.Name, ref.Name, ref.Key)
			}
			if replacement, ok := secretValues[ref.Key]; ok {
				v = replacement
			}
			value = v
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm := m.configMaps[ref.Name]
			if cm == nil {
				return nil, fmt.Errorf("env %s: no ConfigMap %s", e.Name, ref.Name)
			}
			v, ok := cm.Data[ref.Key]
			if !ok {
				return nil, fmt.Errorf("env %s: ConfigMap %s has no key %s", e.Name, ref.Name, ref.Key)
			}
			value = v
		default:
			return nil, fmt.Errorf("env %s: a source this test does not model", e.Name)
		}
		env = append(env, e.Name+"="+value)
	}
	if len(container.EnvFrom) > 0 {
		return nil, errors.New("envFrom: not modelled by this test; list the variables")
	}
	return env, nil
}

// pod is a workload's pod running on this machine, with the addresses of
// its ports and the directories of its volumes.
type pod struct {
	*daemon
	ports   podPorts
	volumes map[string]string // mount path → host directory
}

func runPod(t *testing.T, m *manifests, w workload, replica int, secretValues map[string]string) *pod {
	t.Helper()
	cfg := loadShippedConfig(t)
	container := w.template.Spec.Containers[0]
	name := fmt.Sprintf("%s %s, pod %d", w.kind, w.name, replica)
	run, volumes := containerLaunch(t, m, w.template.Spec, container, name, secretValues)
	d := start(t, run)
	p := &pod{daemon: d, volumes: volumes, ports: podPorts{byNumber: map[int32]string{}, byName: map[string]int32{}}}
	p.ports.byNumber[int32(cfg.GRPCAddr.Port())] = d.GRPC
	p.ports.byNumber[int32(cfg.HTTPAddr.Port())] = d.HTTP
	for _, port := range container.Ports {
		p.ports.byName[port.Name] = port.ContainerPort
	}
	return p
}

// containerLaunch prepares a container of a pod to run on this machine:
// its command from the image and the manifest, its environment from the
// Secret, its volumes as temporary directories (returned by mount path),
// its user and groups.
func containerLaunch(t *testing.T, m *manifests, spec corev1.PodSpec, container corev1.Container, name string, secretValues map[string]string) (launch, map[string]string) {
	t.Helper()
	img, _ := loadDockerfile(t)
	cfg := loadShippedConfig(t)
	root := hostDir(t)
	sc := spec.SecurityContext
	if sc == nil {
		sc = &corev1.PodSecurityContext{}
	}
	uid, gid := uint32(valueOr(sc.RunAsUser, int64(img.uid))), uint32(valueOr(sc.RunAsGroup, int64(img.gid)))
	if csc := container.SecurityContext; csc != nil {
		uid, gid = uint32(valueOr(csc.RunAsUser, int64(uid))), uint32(valueOr(csc.RunAsGroup, int64(gid)))
	}
	var groups []uint32
	if sc.FSGroup != nil {
		groups = append(groups, uint32(*sc.FSGroup))
	}

	var paths pathMap
	paths.add(binaryPath, webhookdBinary(t))
	sources := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		sources[v.Name] = v
	}
	configFiles := map[string]string{}
	volumes := map[string]string{}
	for i, mount := range container.VolumeMounts {
		dir := filepath.Join(root, fmt.Sprintf("volume-%d-%s", i, mount.Name))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		volumes[mount.MountPath] = dir
		paths.add(mount.MountPath, dir)
		source, ok := sources[mount.Name]
		switch {
		case ok && source.ConfigMap != nil:
			for key, value := range m.configMaps[source.ConfigMap.Name].Data {
				configFiles[filepath.Join(dir, key)] = value
			}
		case ok && source.EmptyDir == nil:
			t.Fatalf("volume %s: a kind this test does not model", mount.Name)
		default:
			// An emptyDir or a claim: writable for the fsGroup, as kubelet
			// makes it.
			gid := gid
			if sc.FSGroup != nil {
				gid = uint32(*sc.FSGroup)
			}
			chown(t, dir, 0, gid)
			if err := os.Chmod(dir, 0o2770); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, text := range configFiles {
		writeFile(t, name, paths.apply(text))
	}

	env := baseEnv()
	for _, kv := range img.env {
		env = append(env, paths.apply(kv))
	}
	containerVars, err := containerEnv(m, container, secretValues)
	if err != nil {
		t.Fatal(err)
	}
	env = append(env, containerVars...)
	env = append(env, portOverrides(cfg)...)
	// Kubernetes: command replaces ENTRYPOINT (and drops CMD), args
	// replaces CMD.
	entrypoint, args := img.entrypoint, img.cmd
	if container.Command != nil {
		entrypoint, args = container.Command, nil
	}
	if container.Args != nil {
		args = container.Args
	}
	argv := append(append([]string{}, entrypoint...), args...)
	for i := range argv {
		if strings.Contains(argv[i], "$(") {
			t.Fatalf("argument %q: $(VAR) references are not modelled by this test", argv[i])
		}
		argv[i] = paths.apply(argv[i])
	}
	work := filepath.Join(root, "workdir")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	return launch{name: name, argv: argv, env: env, dir: work, uid: &uid, gid: &gid, groups: groups}, volumes
}

// startupThenReady runs the startup probe until it passes, then the
// liveness and readiness probes once, as kubelet would.
func startupThenReady(t *testing.T, p *pod, container corev1.Container) {
	t.Helper()
	startup := container.StartupProbe
	window := time.Duration(startup.PeriodSeconds*startup.FailureThreshold) * time.Second
	if err := probeUntil(startup, p.ports, true, min(window, startTimeout)); err != nil {
		t.Fatalf("startup probe: %v", err)
	}
	if err := probeOnce(container.LivenessProbe, p.ports); err != nil {
		t.Errorf("liveness probe: %v", err)
	}
	if err := probeOnce(container.ReadinessProbe, p.ports); err != nil {
		t.Errorf("readiness probe: %v", err)
	}
}

// terminate stops a pod as kubelet does after the preStop hook (whose
// sleep is not waited for here): SIGTERM, then SIGKILL when the rest of the
// grace period has passed.
func terminate(t *testing.T, p *pod, w workload) {
	t.Helper()
	container := w.template.Spec.Containers[0]
	grace := time.Duration(valueOr(w.template.Spec.TerminationGracePeriodSeconds, 30)) * time.Second
	if container.Lifecycle != nil && container.Lifecycle.PreStop != nil && container.Lifecycle.PreStop.Sleep != nil {
		grace -= time.Duration(container.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	}
	code, took := p.stop(syscall.SIGTERM, grace)
	if code != 0 {
		t.Errorf("%s exited with %d after SIGTERM", p.name, code)
	}
	t.Logf("%s stopped in %s (%s left of the grace period)", p.name, took.Round(time.Millisecond), grace)
}

// TestSQLiteStatefulSetPodRuns runs the StatefulSet's pod with the example
// Secret as it is: the placeholder warning shows, the probes pass, the keys
// are enforced; then the database file disappears, and readiness fails
// while liveness holds, which is why liveness is not the gRPC probe.
func TestSQLiteStatefulSetPodRuns(t *testing.T) {
	m := loadManifests(t)
	cfg := loadShippedConfig(t)
	var w workload
	for _, candidate := range m.workloads() {
		if candidate.kind == "StatefulSet" {
			w = candidate
		}
	}
	container := w.template.Spec.Containers[0]
	p := runPod(t, m, w, 0, nil)
	if !p.logged("SECRET IS STILL THE PLACEHOLDER") {
		t.Error("the example Secret's placeholder signing secret went unnoticed")
	}
	startupThenReady(t, p, container)
	secrets := map[string]string{}
	env, _ := containerEnv(m, container, nil)
	for _, kv := range env {
		key, value, _ := strings.Cut(kv, "=")
		secrets[key] = value
	}
	assertKeysEnforced(t, p.daemon, cfg, secrets)

	database := filepath.Join(p.volumes[cfg.StateDir], path.Base(cfg.SQLiteFile))
	if err := os.Rename(database, database+".moved"); err != nil {
		t.Fatalf("the database is not on the volume: %v", err)
	}
	if err := probeUntil(container.ReadinessProbe, p.ports, false, 10*time.Second); err != nil {
		t.Errorf("readiness after the database file went away: %v", err)
	}
	if err := probeOnce(container.LivenessProbe, p.ports); err != nil {
		t.Errorf("liveness failed with the database gone, so kubelet would restart the pod: %v", err)
	}
	terminate(t, p, w)
}

// TestPostgresDeploymentPodsRun runs the Deployment's replicas on a fresh
// database of the PostgreSQL server in WEBHOOKD_TEST_POSTGRES_URL (which
// scripts/test.sh provides), with DATABASE_URL replaced in the Secret.
func TestPostgresDeploymentPodsRun(t *testing.T) {
	server := os.Getenv("WEBHOOKD_TEST_POSTGRES_URL")
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("WEBHOOKD_TEST_POSTGRES_URL is not set")
		}
		t.Skip("WEBHOOKD_TEST_POSTGRES_URL is not set: skipped (an error under CI=true)")
	}
	psql := requireTool(t, "psql")
	database := "webhookd_deploy_" + randomKey(t)[:12]
	sql := func(statement string) {
		t.Helper()
		if out, err := exec.Command(psql, server, "-v", "ON_ERROR_STOP=1", "-qc", statement).CombinedOutput(); err != nil {
			t.Fatalf("psql %s: %v\n%s", statement, err, out)
		}
	}
	sql("CREATE DATABASE " + database)
	t.Cleanup(func() { sql("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)") })
	target, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	target.Path = "/" + database

	m := loadManifests(t)
	var w workload
	for _, candidate := range m.workloads() {
		if candidate.kind == "Deployment" {
			w = candidate
		}
	}
	container := w.template.Spec.Containers[0]
	// The init container of docs/deployment.md migrates first.
	for _, init := range docsInitContainers(t) {
		run, _ := containerLaunch(t, m, w.template.Spec, init, "init container "+init.Name, map[string]string{"DATABASE_URL": target.String()})
		code, log := runToExit(t, run, startTimeout)
		if code != 0 || !strings.Contains(log, "migrations applied") {
			t.Fatalf("init container %s: exit code %d:\n%s", init.Name, code, log)
		}
	}
	var pods []*pod
	for replica := range int(w.replicas) {
		pods = append(pods, runPod(t, m, w, replica, map[string]string{"DATABASE_URL": target.String()}))
	}
	for _, p := range pods {
		startupThenReady(t, p, container)
	}
	// The replicas migrated the new database: they run on PostgreSQL.
	out, err := exec.Command(psql, target.String(), "-tAc",
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) == "0" {
		t.Errorf("no tables in %s: %v %s", database, err, out)
	}
	for _, p := range pods {
		terminate(t, p, w)
	}
}

const deploymentDoc = "docs/deployment.md"

// docsInitContainers decodes, strictly, the YAML block of
// docs/deployment.md that adds init containers to the Deployment.
func docsInitContainers(t *testing.T) []corev1.Container {
	t.Helper()
	text, err := os.ReadFile(repoPath(deploymentDoc))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(text, -1) {
		if !bytes.HasPrefix(block[1], []byte("initContainers:")) {
			continue
		}
		var fragment struct {
			InitContainers []corev1.Container `json:"initContainers"`
		}
		if err := yaml.UnmarshalStrict(block[1], &fragment); err != nil {
			t.Fatalf("%s: the initContainers block: %v", deploymentDoc, err)
		}
		return fragment.InitContainers
	}
	t.Fatalf("%s has no initContainers block", deploymentDoc)
	return nil
}

// TestDocsInitContainerFitsTheDeployment checks the optional migrate init
// container of docs/deployment.md against the Deployment: same image,
// volumes and Secret, a valid migrate command, and a pod that is still
// "restricted" with it. TestPostgresDeploymentPodsRun runs it.
func TestDocsInitContainerFitsTheDeployment(t *testing.T) {
	m := loadManifests(t)
	inits := docsInitContainers(t)
	for _, w := range m.workloads() {
		if w.kind != "Deployment" {
			continue
		}
		spec := *w.template.Spec.DeepCopy()
		spec.InitContainers = inits
		main := spec.Containers[0]
		volumes := map[string]bool{}
		for _, v := range spec.Volumes {
			volumes[v.Name] = true
		}
		for _, init := range inits {
			if init.Image != main.Image {
				t.Errorf("init container %s: image %s, the server's is %s", init.Name, init.Image, main.Image)
			}
			if want := []string{"migrate", "--config", configPath}; !slices.Equal(init.Args, want) {
				t.Errorf("init container %s: args %q, want %q", init.Name, init.Args, want)
			}
			for _, mount := range init.VolumeMounts {
				if !volumes[mount.Name] {
					t.Errorf("init container %s: volume %s is not in the Deployment", init.Name, mount.Name)
				}
			}
			if _, err := containerEnv(m, init, nil); err != nil {
				t.Errorf("init container %s: %v", init.Name, err)
			}
		}
		evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
		if err != nil {
			t.Fatal(err)
		}
		level := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}
		if aggregate := policy.AggregateCheckResults(evaluator.EvaluatePod(level, &w.template.ObjectMeta, &spec)); !aggregate.Allowed {
			t.Errorf("with the init container, the pod is no longer restricted: %s", aggregate.ForbiddenDetail())
		}
	}
}
