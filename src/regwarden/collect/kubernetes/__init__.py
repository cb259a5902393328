"""Kubernetes clusters into Workloads: what runs where, read live or from `kubectl get … -o json` files.

The API (everything else in this package is internal):
- `read_pods_file(path, cluster) -> ClusterSnapshot`: a `kubectl get pods -A -o json` file (optionally with the
  pods' ReplicaSets and Jobs in the same List);
- `collect_cluster(context, cluster_name, *, kubeconfig, page_size, timeout, on_progress) -> ClusterSnapshot`:
  a live cluster through the user's kubeconfig;
- `list_contexts(kubeconfig) -> list[str]`: the kubeconfig's context names (for `--all-contexts`);
- `workloads_from_objects(cluster, pods, owners) -> (workloads, gaps)`: the pure adapter both use.
"""

from regwarden.collect.kubernetes.files import read_pods_file
from regwarden.collect.kubernetes.kubeconfig import list_contexts
from regwarden.collect.kubernetes.live import collect_cluster
from regwarden.collect.kubernetes.pods import workloads_from_objects

__all__ = ["collect_cluster", "list_contexts", "read_pods_file", "workloads_from_objects"]
