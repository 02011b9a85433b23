// The application shell. The cluster view, controls and panels arrive with the Playground API;
// until then the page states what it is.
export function App() {
  return (
    <main>
      <h1>Raft playground</h1>
      <p>A real etcd-style Raft cluster, running in your browser.</p>
    </main>
  );
}
