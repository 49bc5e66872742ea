import { styleText } from "node:util";

export type Style = "green" | "red" | "yellow" | "cyan" | "gray" | "bold";
export type Paint = (style: Style, text: string) => string;

/** Colours for a terminal, plain text for pipes and files, or when NO_COLOR is set. */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  const colour = stream.isTTY === true && !process.env.NO_COLOR;
  return colour ? (style, text) => styleText(style, text) : (_style, text) => text;
}
