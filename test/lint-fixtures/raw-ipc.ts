const { ipcRenderer } = window.require('electron')
export const x = ipcRenderer
