// The generated client (`Client`) and `ControlPlaneConnection` live in the shared target
// Common/ControlPlaneAPIClient, generated once for the package; the node's code and whoever imports
// ControlPlaneClient see them as before.
@_exported public import ControlPlaneAPIClient
