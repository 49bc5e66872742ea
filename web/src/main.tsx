import { render } from "preact";
import { useMemo, useState } from "preact/hooks";
import { Api, ApiError } from "./api.js";
import { KeyPrompt } from "./components/KeyPrompt.js";
import { WorkersPage } from "./components/WorkersPage.js";
import { WorkflowList } from "./components/WorkflowList.js";
import { WorkflowPage } from "./components/WorkflowPage.js";
import { forgetKey, storedKey, storeKey, takeKeyFromFragment } from "./keyStore.js";
import { useRoute } from "./route.js";
import "./styles.css";

/** The API lives beside the page: the page is at <prefix>/dashboard/, the API at <prefix>/. */
const API_BASE = new URL("../", location.href).pathname;

function App() {
  const [key, setKey] = useState(storedKey);
  const [keyError, setKeyError] = useState<string>();
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();
  const api = useMemo(() => (key ? new Api(API_BASE, key) : null), [key]);

  const onError = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) {
      forgetKey();
      setKey(null);
      setKeyError("the key was refused (401): enter a valid function key");
      return;
    }
    setError(e instanceof Error ? e.message : String(e));
  };

  if (!api) {
    return (
      <KeyPrompt
        error={keyError}
        onKey={(k) => {
          storeKey(k);
          setKeyError(undefined);
          setKey(k);
        }}
      />
    );
  }
  return (
    <>
      <nav class="top">
        <a href="#/" class="brand">
          dagq
        </a>
        <a href="#/workers" class="nav-link">
          workers
        </a>
        {error && (
          <span class="error" role="alert">
            {error}{" "}
            <button type="button" class="link" onClick={() => setError(null)}>
              dismiss
            </button>
          </span>
        )}
      </nav>
      {route.page === "list" ? (
        <WorkflowList api={api} query={route.query} onError={onError} />
      ) : route.page === "workers" ? (
        <WorkersPage api={api} onError={onError} />
      ) : (
        <WorkflowPage
          key={route.id}
          api={api}
          id={route.id}
          query={route.query}
          onError={onError}
        />
      )}
    </>
  );
}

takeKeyFromFragment();
render(<App />, document.getElementById("app")!);
