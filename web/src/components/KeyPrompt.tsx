import { useState } from "preact/hooks";

/** Asks for the function key once per tab; `error` says why a previous one was refused. */
export function KeyPrompt(props: { error?: string | undefined; onKey: (key: string) => void }) {
  const [key, setKey] = useState("");
  return (
    <form
      class="keyprompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (key.trim()) props.onKey(key.trim());
      }}
    >
      <h1>dagq</h1>
      <p>
        The API needs a function key (<code>dagq host</code> prints one; on Azure:{" "}
        <code>az functionapp keys list</code>). It is kept for this tab only.
      </p>
      {props.error && <p class="error">{props.error}</p>}
      <input
        name="key"
        type="password"
        autocomplete="off"
        placeholder="function key"
        value={key}
        onInput={(e) => setKey((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Open</button>
    </form>
  );
}
