package webhookd

// Version is the version of this SDK. It equals clients/VERSION in the
// repository (a test checks it), and the module's tag is clients/go/vVersion.
const Version = "0.1.0"
