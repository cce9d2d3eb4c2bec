import "@fontsource-variable/inter";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";

// Browser tests and `npm run dev:mock` run the UI without the Rust side.
if (import.meta.env.VITE_MOCK_IPC === "1") {
  const { installMockIpc } = await import("./lib/mock-ipc");
  installMockIpc();
}

const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");
export default mount(App, { target });
