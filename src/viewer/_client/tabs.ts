/// <reference lib="dom" />
// Tabs: a row of buttons, one panel shown at a time.
import { h } from "./dom.ts";

interface Tab {
  name: string;
  button: HTMLButtonElement;
  panel: HTMLElement;
  onShow?: () => void;
}

/** A set of tabs; `el` goes in the page. */
export class Tabs {
  /** The buttons, then the panels. */
  readonly el: HTMLElement;
  readonly #buttons = h("div", { class: "tabs", role: "tablist" });
  readonly #panels = h("div");
  readonly #tabs: Tab[] = [];

  constructor() {
    this.el = h("section", { class: "panel" }, this.#buttons, this.#panels);
  }

  /** Adds a tab (hidden); `onShow` runs each time it is shown. */
  add(name: string, label: string, panel: HTMLElement, onShow?: () => void): void {
    const button = h("button", { role: "tab", "data-tab": name, "aria-selected": "false" }, label);
    button.addEventListener("click", () => this.select(name));
    this.#buttons.appendChild(button);
    panel.hidden = true;
    this.#panels.appendChild(panel);
    this.#tabs.push({ name, button, panel, onShow });
  }

  /** Shows tab `name`. */
  select(name: string): void {
    for (const t of this.#tabs) {
      const on = t.name === name;
      t.button.setAttribute("aria-selected", on ? "true" : "false");
      t.panel.hidden = !on;
      if (on && t.onShow) t.onShow();
    }
  }
}
