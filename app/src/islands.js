async (bundle) => {
	const mod = await import(`${bundle}.js`);
	await mod.default({ module_or_path: `${bundle}.wasm` });
	mod.hydrate();
	// In the order of the page, as the server rendered them (the data an island was
	// rendered with is numbered in that order); a lazy island's chunks were hinted, so
	// they are already on their way. An island inside another is part of it and has
	// no element of its own. A failure is reported and the next island still starts.
	for (const el of document.querySelectorAll("leptos-island")) {
		const name = el.dataset.component;
		try {
			if (!mod[name]) throw new Error("no code for it in the bundle");
			await mod[name](el);
		} catch (error) {
			console.error(`The island ${name} could not start:`, error);
		}
	}
	// What the page fetched before this moment is what it needed to answer input.
	performance.mark("outrival:hydrated");
	document.body.setAttribute("data-hydrated", "true");
	window.dispatchEvent(new Event("outrival:hydrated"));
}
