/**
 * Props that make a non-button element (an SVG node, a virtual table row) act as a button:
 * focusable, announced as a button, and activated by Enter or Space as well as a click.
 */
export function clickable(action: () => void) {
  return {
    role: "button",
    tabIndex: 0,
    onClick: action,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        action();
      }
    },
  } as const;
}
