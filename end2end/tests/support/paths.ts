import path from "node:path";

/** Where the set-up test saves the admin's signed-in browser state. */
export const ADMIN_STATE = path.join(__dirname, "..", "..", ".auth", "admin.json");
